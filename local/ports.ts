import { createServer } from 'node:net';

/** A free TCP port on loopback (0 lets the OS choose). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A fixed port that something else already listens on; `piece` is the key in `LocalStackOptions.ports`. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly piece: string,
  ) {
    super(
      `Port ${port} (${what}) is already in use, perhaps by another \`npm start\`. Stop whatever uses it (lsof -i :${port}) or choose another port.`,
    );
  }
}

/** Fails with a message a person can act on when a fixed port is taken. */
export function assertPortFree(port: number, what: string, piece: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new PortInUseError(port, what, piece)
          : new Error(`Cannot listen on port ${port} (${what}): ${e.message}`),
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
}
