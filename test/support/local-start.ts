/**
 * `npm start` as its own process, as a newcomer runs it: `local/start.ts` under tsx in a folder of the test's choosing
 * (its `.local/endpoints.json` lands there, so a developer's own stack and its record are never touched), on free
 * ports that are none of the defaults, so nothing works by luck of a hard-coded port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalEndpoints } from '../../local/endpoints.ts';
import { freePort } from '../../local/ports.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** `npm start`'s default ports: a stack started here takes none of them. */
const DEFAULT_PORTS = new Set([3000, 3001, 3002, 8000, 8005, 8083]);

async function nonDefaultPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!DEFAULT_PORTS.has(port)) return port;
  }
}

export interface StartedStack {
  endpoints: LocalEndpoints;
  process: ChildProcess;
  /** SIGINT, as Ctrl-C: `npm start` stops its DynamoDB Local and SES children, which a SIGKILL would leave running. */
  stop(): Promise<void>;
}

export async function startLocalStackProcess(cwd: string, timeoutMs = 90_000): Promise<StartedStack> {
  const ports: number[] = [];
  while (ports.length < 6) {
    const port = await nonDefaultPort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [port, dynamodb, ses, sfn, oidc, samlIdp] = ports as [number, number, number, number, number, number];
  const child = spawn(
    process.execPath,
    [
      '--import',
      TSX,
      join(ROOT, 'local/start.ts'),
      ...['--port', String(port), '--dynamodb-port', String(dynamodb), '--ses-port', String(ses)],
      ...['--sfn-port', String(sfn), '--oidc-port', String(oidc), '--saml-idp-port', String(samlIdp)],
    ],
    { cwd, env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('close', () => {
        clearTimeout(force);
        done();
      });
      child.kill('SIGINT');
    });
  const file = join(cwd, '.local/endpoints.json');
  const deadline = Date.now() + timeoutMs;
  let endpoints: LocalEndpoints | undefined;
  while (!endpoints) {
    endpoints = readRecord(file);
    if (endpoints) break;
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm start wrote no ${file} within ${timeoutMs} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoints, process: child, stop };
}

/** The record once it is whole (the file can be seen between its creation and its write). */
function readRecord(file: string): LocalEndpoints | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
  } catch {
    return undefined;
  }
}
