/** Structured JSON logs. Never pass tokens, JWTs or request bodies here: `redactPath` hides invitation tokens. */
export function log(
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}

/** Invitation tokens travel in paths; keep only a short prefix in logs. */
export const redactPath = (path: string): string =>
  path.replace(/(\/invitations\/)([A-Za-z0-9_-]{8})[A-Za-z0-9_,-]*/g, '$1$2…');
