/**
 * Stage mode keeps working: `npm start` runs as its own process on free ports, standing in for a deployed stage, and
 * two suites run against it as an operator would run them against AWS (API_URL, TABLE_NAME, STATE_MACHINE_ARN, the
 * standard AWS settings and a token command). One suite runs there; the other is local-only and must be reported
 * as skipped with its reason, never as passed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalEndpoints } from '../../local/endpoints.ts';
import { freePort } from '../../local/ports.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const cwd = mkdtempSync(join(tmpdir(), 'stage-mode-'));
let stack: ChildProcess | undefined;

afterAll(async () => {
  // SIGINT: `npm start` stops its DynamoDB Local and SES children, which a SIGKILL would leave running.
  if (stack && stack.exitCode === null && stack.signalCode === null) {
    const s = stack;
    await new Promise<void>((done) => {
      const force = setTimeout(() => s.kill('SIGKILL'), 15_000);
      s.once('close', () => {
        clearTimeout(force);
        done();
      });
      s.kill('SIGINT');
    });
  }
});

async function startStage(): Promise<LocalEndpoints> {
  const ports = [];
  for (let i = 0; i < 5; i++) ports.push(String(await freePort()));
  const [port, dynamodb, ses, sfn, oidc] = ports as [string, string, string, string, string];
  stack = spawn(
    process.execPath,
    [
      '--import',
      TSX,
      join(ROOT, 'local/start.ts'),
      ...[
        '--port',
        port,
        '--dynamodb-port',
        dynamodb,
        '--ses-port',
        ses,
        '--sfn-port',
        sfn,
        '--oidc-port',
        oidc,
      ],
    ],
    { cwd, env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  stack.stderr!.on('data', (d) => {
    stderr += d;
  });
  const file = join(cwd, '.local/endpoints.json');
  for (let t = 0; t < 1200 && !existsSync(file); t++) {
    if (stack.exitCode !== null) throw new Error(`npm start exited ${stack.exitCode}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
}

interface JsonReport {
  numFailedTests: number;
  testResults: {
    name: string;
    assertionResults: { title: string; status: string; meta?: unknown }[];
  }[];
}

function runSuites(env: NodeJS.ProcessEnv, files: string[], report: string) {
  const vitest = join(ROOT, 'node_modules/vitest/vitest.mjs');
  const child = spawn(
    process.execPath,
    [vitest, 'run', '--project', 'integration', '--reporter=json', `--outputFile=${report}`, ...files],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  return new Promise<{ code: number | null; out: string }>((done) =>
    child.on('close', (code) => done({ code, out })),
  );
}

describe('stage mode', () => {
  it.skipIf(Boolean(process.env.API_URL))(
    'runs organizations against a separately started stack as a deployed stage, and reports local-only files as skipped',
    async () => {
      const stage = await startStage();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        LOG_LEVEL: 'silent',
        API_URL: stage.gateway,
        TABLE_NAME: stage.tableName,
        STATE_MACHINE_ARN: stage.stateMachineArn,
        AWS_REGION: stage.region,
        AWS_ACCESS_KEY_ID: 'stage',
        AWS_SECRET_ACCESS_KEY: 'stage',
        AWS_ENDPOINT_URL_DYNAMODB: stage.dynamodb,
        AWS_ENDPOINT_URL_SFN: stage.stepFunctions,
        // As an operator's command would: `<email> [flags]` in, a token out.
        TEST_TOKEN_COMMAND: `'${process.execPath}' --import '${TSX}' '${join(ROOT, 'local/token.ts')}' --issuer ${stage.issuer}`,
        // Without `expires`: the test that needs an expired token must be skipped, with the reason.
        TEST_TOKEN_FEATURES: 'name,unverified,operator',
        TEST_EMAIL: 'stage+{id}@example.org',
      };
      const report = join(cwd, 'report.json');
      const run = await runSuites(
        env,
        ['test/integration/organizations.test.ts', 'test/integration/faults.test.ts'],
        report,
      );
      expect(run.code, run.out).toBe(0);
      const results = (JSON.parse(readFileSync(report, 'utf8')) as JsonReport).testResults;
      const of = (file: string) => results.find((r) => r.name.endsWith(file))!.assertionResults;

      const organizations = of('organizations.test.ts');
      expect(organizations.filter((t) => t.status === 'skipped').map((t) => t.title)).toEqual([
        'answers 401 root.unauthorized without a token, with a forged token and with alg none',
      ]);
      expect(organizations.filter((t) => t.status === 'passed').length).toBe(organizations.length - 1);
      const faults = of('faults.test.ts');
      expect(faults.length).toBeGreaterThan(10);
      expect(faults.every((t) => t.status === 'skipped')).toBe(true);

      // The suite wrote to the stage's own table (nothing else was started), with the stage's addresses.
      const db = new DynamoDBClient({
        endpoint: stage.dynamodb,
        region: stage.region,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
      const items = (await db.send(new ScanCommand({ TableName: stage.tableName }))).Items ?? [];
      const names = items.filter((i) => i.entity?.S === 'Organization').map((i) => i.name?.S);
      expect(names).toContain('Acme');
      const users = items.filter((i) => i.entity?.S === 'User').map((i) => i.email?.S ?? '');
      expect(users.length).toBeGreaterThan(3);
      expect(users.every((e) => /^stage\+.+@example\.org$/.test(e))).toBe(true);
    },
    180_000,
  );
});
