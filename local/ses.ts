/** A local SES v2 endpoint (aws-ses-v2-local), in-process. Mail is at GET /store; GET / is a mailbox page. */
import type { Server } from 'node:http';

export interface CapturedEmail {
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

export interface RunningSes {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startSesLocal(port: number): Promise<RunningSes> {
  const m = (await import('aws-ses-v2-local')) as unknown as {
    default:
      | ((c: { host: string; port: number }) => Promise<Server>)
      | { default: (c: { host: string; port: number }) => Promise<Server> };
  };
  const start = typeof m.default === 'function' ? m.default : m.default.default;
  const server = await start({ host: '127.0.0.1', port });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Every email the local SES has captured, oldest first. */
export async function readMailbox(endpoint: string): Promise<CapturedEmail[]> {
  const res = await fetch(`${endpoint}/store`);
  const store = (await res.json()) as { emails: CapturedEmail[] };
  return store.emails;
}
