/** Moving between screens; `main.ts` registers how a route is shown (this keeps screens from importing main). */
import { clearSession, refreshSession } from './session.ts';

let show: () => Promise<void> = async () => undefined;

export function setRouter(fn: () => Promise<void>): void {
  show = fn;
}

export function navigate(hash: string): void {
  if (location.hash === hash) void show();
  else location.hash = hash;
}

/** Re-reads who the user is (after joining, leaving or a role change) and shows `hash` (or the current screen). */
export async function reload(hash?: string): Promise<void> {
  clearSession();
  await refreshSession();
  if (hash !== undefined && location.hash !== hash) location.hash = hash;
  else await show();
}
