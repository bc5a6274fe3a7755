/** Structured JSON logs. Never pass tokens, JWTs or request bodies here: `redactPath` hides invitation tokens. */
export function log(
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  const line = redactSecrets(JSON.stringify({ level, message, time: new Date().toISOString(), ...fields }));
  if (level === 'error') console.error(line);
  else console.log(line);
}

/**
 * Invitation tokens travel in paths; keep only a short prefix of the segment in logs. The whole segment goes, whatever
 * its characters: a token sent percent-encoded (`%53` for `S`) or as a comma-separated list is still a token.
 */
export const redactPath = (path: string): string =>
  path.replace(/(\/invitations\/)([^/?#]{1,8})[^/?#]*/g, '$1$2…');

/**
 * Defence in depth for anything that reaches a log line (an error message quoting a value, say): JWTs and long
 * token-like runs (invitation tokens are 43 characters, task tokens longer) are cut to a short prefix. Ids (32 hex
 * characters, UUIDs) are shorter and stay readable.
 */
export const redactSecrets = (line: string): string =>
  line
    .replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, 'eyJ…[jwt]')
    .replace(/(?:[A-Za-z0-9_+=-]|%[0-9A-Fa-f]{2}){40,}/g, (run) => `${run.slice(0, 8)}…`);
