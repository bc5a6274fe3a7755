/**
 * The local commands as a newcomer meets them: `npm start` records what it bound in `.local/endpoints.json`, and
 * `executions`, `token` and `check-invariants` find the stack there; every command has `--help`, refuses a wrong
 * option in one line with exit 2, and names no option it does not have. Each command runs as its own process,
 * in a scratch directory, so a developer's own `npm start` and its `.local/` are never touched.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalEndpoints } from '../../local/endpoints.ts';
import { freePort } from '../../local/ports.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const cwd = mkdtempSync(join(tmpdir(), 'local-commands-'));
const children: ChildProcess[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function launch(script: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, script), ...args], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  children.push(child);
  return child;
}

function run(script: string, ...args: string[]): Promise<Run> {
  const child = launch(script, args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

// SIGINT first: `npm start` then stops its DynamoDB Local and SES children, which a SIGKILL would leave running.
afterAll(async () => {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(
    running.map(
      (c) =>
        new Promise<void>((done) => {
          const force = setTimeout(() => c.kill('SIGKILL'), 15_000);
          c.once('close', () => {
            clearTimeout(force);
            done();
          });
          c.kill('SIGINT');
        }),
    ),
  );
  rmSync(cwd, { recursive: true, force: true });
}, 30_000);

const COMMANDS = {
  start: 'local/start.ts',
  token: 'local/token.ts',
  executions: 'local/executions.ts',
  'check-invariants': 'local/check-invariants.ts',
  bench: 'bench/run.ts',
  docs: 'local/docs.ts',
  client: 'local/client.ts',
  dns: 'local/dns-cli.ts',
  'saml-idp': 'local/saml-idp-cli.ts',
};

describe('every command explains itself', () => {
  it.each(Object.entries(COMMANDS))(
    '%s: --help prints the usage (exit 0) and names only options it has; an unknown option gets one line (exit 2)',
    async (_name, script) => {
      const help = await run(script, '--help');
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/^Usage: npm /);
      expect(help.stderr).toBe('');

      // Every `--option` the help names, given at once (with a value where the help shows one): a single unknown
      // one would make the parser refuse the lot with exit 2 before `--help` is looked at.
      const mentioned = new Set(help.stdout.match(/--[a-z][a-z-]*/g));
      const all = [...mentioned].map((o) => (help.stdout.includes(`${o} <`) ? `${o}=1` : o));
      const accepted = await run(script, ...all, '--help');
      expect(accepted.code, `${all.join(' ')}: ${accepted.stderr}`).toBe(0);

      const wrong = await run(script, '--base-port', '9000');
      expect(wrong.code).toBe(2);
      const [first, second] = wrong.stderr.split('\n');
      expect(first).toMatch(/^npm (start|run [a-z-]+): unknown option --base-port\.$/);
      expect(second).toMatch(/^Usage: npm /);
      expect(wrong.stderr).not.toMatch(/\n\s+at /);
      expect(wrong.stdout).toBe('');
    },
    60_000,
  );
});

describe('npm start and the commands that read what it bound', () => {
  it('records its endpoints; token, executions and check-invariants use them; a taken port names a real option; stopping removes the record', async () => {
    const [gateway, dynamodb, ses, sfn, oidc, dns, samlIdp, kms] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const file = join(cwd, '.local/endpoints.json');
    const start = launch(COMMANDS.start, [
      '--port',
      String(gateway),
      '--dynamodb-port',
      String(dynamodb),
      '--ses-port',
      String(ses),
      '--sfn-port',
      String(sfn),
      '--oidc-port',
      String(oidc),
      '--dns-port',
      String(dns),
      '--saml-idp-port',
      String(samlIdp),
      '--kms-port',
      String(kms),
    ]);
    const exited = new Promise<number | null>((done) => start.on('close', done));
    await expect.poll(() => existsSync(file), { timeout: 90_000, interval: 250 }).toBe(true);
    const endpoints = JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
    expect(endpoints).toMatchObject({
      api: `http://127.0.0.1:${gateway}/api/v1`,
      dynamodb: `http://127.0.0.1:${dynamodb}`,
      ses: `http://127.0.0.1:${ses}`,
      stepFunctions: `http://127.0.0.1:${sfn}`,
      issuer: `http://127.0.0.1:${oidc}`,
      dns: `127.0.0.1:${dns}`,
      samlIdp: { url: `http://127.0.0.1:${samlIdp}`, issuer: `http://127.0.0.1:${samlIdp}/metadata` },
      kms: `http://127.0.0.1:${kms}`,
      ssoSigningKeyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tableName: 'org-membership',
      stateMachineArn: expect.stringMatching(/^arn:aws:states:.*:stateMachine:migration$/),
      pid: start.pid,
    });

    const token = await run(COMMANDS.token, 'newcomer@example.com');
    expect(token.code, token.stderr).toBe(0);
    const orgs = await fetch(`${endpoints.api}/organizations`, {
      headers: { authorization: `Bearer ${token.stdout.trim()}` },
    });
    expect(orgs.status).toBe(200);
    expect(await orgs.json()).toEqual({ organizations: [] });

    const published = await run(COMMANDS.dns, 'set', '_elastic-cloud-verification.acme.test', 'code-1');
    expect(published.code, published.stderr).toBe(0);
    const resolver = new Resolver();
    resolver.setServers([endpoints.dns!]);
    expect(await resolver.resolveTxt('_elastic-cloud-verification.acme.test')).toEqual([['code-1']]);

    const executions = await run(COMMANDS.executions);
    expect(executions.code, executions.stderr).toBe(0);
    expect(executions.stdout).toContain('No executions yet');

    const invariants = await run(COMMANDS['check-invariants']);
    expect(invariants.code, invariants.stderr).toBe(0);
    expect(invariants.stdout).toContain('All invariants hold in table org-membership.');

    const second = await run(COMMANDS.start, '--port', String(gateway));
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`Port ${gateway} (HTTP API) is already in use`);
    const suggested = /npm start -- (--[a-z-]+) (\d+)/.exec(second.stderr);
    expect(suggested?.[1], second.stderr).toBe('--port');
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(start.pid); // the running stack's record stays

    start.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(file)).toBe(false);
    const after = await run(COMMANDS.executions);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('no local stack is running');
  }, 180_000);
});
