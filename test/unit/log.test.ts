import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inInvocation, log, redactPath, redactSecrets } from '../../functions/shared/log.ts';

const token = () => randomBytes(32).toString('base64url');
/** Percent-encode the characters at the given positions, as a client may send them. */
const encodeAt = (s: string, at: number[]) =>
  [...s].map((c, i) => (at.includes(i) ? `%${c.charCodeAt(0).toString(16).toUpperCase()}` : c)).join('');

/** Percent-decoding that tolerates an escape cut in half by the redaction. */
const decoded = (s: string) =>
  s.replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));

describe('redactPath', () => {
  it.each([
    ['plain', [] as number[]],
    ['one character percent-encoded', [8]],
    ['one character percent-encoded inside the prefix', [3]],
    ['every character percent-encoded', [...Array(43).keys()]],
  ])('keeps no more than a short prefix of a token sent %s', (_, at) => {
    const t = token();
    const sent = encodeAt(t, at);
    for (const path of [
      `/api/v1/organizations/invitations/${sent}/_accept`,
      `/api/v1/organizations/invitations/${sent}`,
      `/invitations/${sent}`,
      `/api/v1/organizations/o1/invitations/${sent},${encodeAt(token(), at)}`,
    ]) {
      const logged = redactPath(path);
      expect(logged).not.toContain(t.slice(8, 20));
      expect(logged).not.toContain(sent.slice(8, 20));
      expect(decoded(logged)).not.toContain(t.slice(8, 20));
    }
    expect(redactPath(`/api/v1/organizations/invitations/${sent}/_accept`)).toMatch(/\/_accept$/);
  });
});

describe('redactSecrets', () => {
  it('cuts a long token-like run even when percent-encoded characters break it up', () => {
    const t = token();
    const line = JSON.stringify({ detail: `no such token ${encodeAt(t, [10, 20, 30])}` });
    expect(redactSecrets(line)).not.toContain(t.slice(12, 18));
  });
  it('keeps ids readable', () => {
    const id = randomBytes(16).toString('hex');
    expect(redactSecrets(JSON.stringify({ organization: id }))).toContain(id);
  });
});

describe('log', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.env.LOG_LEVEL = 'silent';
  });
  /** What the Logger writes to the process's streams (its own Console, as in Lambda), one parsed line per entry. */
  const written = () => {
    const lines: string[] = [];
    const write = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(write);
    vi.spyOn(process.stderr, 'write').mockImplementation(write);
    return lines;
  };

  it('writes levels Lambda reads (WARN, ERROR) with the invocation context, and nothing secret however nested', async () => {
    const lines = written();
    process.env.LOG_LEVEL = 'info';
    const t = token();
    await inInvocation({ awsRequestId: 'req-7', functionName: 'invitations-accept' }, async () => {
      log('warn', 'refused', { detail: { cause: [`no such token ${t}`] }, error: new Error(`bad ${t}`) });
      log('error', 'failed');
    });
    const [warn, error] = lines.map((l) => JSON.parse(l));
    expect(warn).toMatchObject({
      level: 'WARN',
      message: 'refused',
      function_request_id: 'req-7',
      function_name: 'invitations-accept',
      service: 'org-membership',
    });
    expect(error).toMatchObject({ level: 'ERROR', message: 'failed' });
    expect(lines.join('')).not.toContain(t.slice(8, 20));
  });

  it('names on each line its own invocation, when invocations overlap in one process (the local runtime)', async () => {
    // Prepare: the outbox starts while an API request is in flight, and ends after it.
    const lines = written();
    process.env.LOG_LEVEL = 'info';
    let apiMayEnd!: () => void;
    const apiWaits = new Promise<void>((r) => {
      apiMayEnd = r;
    });

    // Act
    const api = inInvocation(
      { awsRequestId: 'req-api', functionName: 'invitations/handlers/create' },
      async () => {
        log('info', 'api started');
        await apiWaits;
        log('info', 'api ended');
      },
    );
    await inInvocation({ awsRequestId: 'req-outbox', functionName: 'outbox/handlers/stream' }, async () => {
      log('info', 'outbox started');
      apiMayEnd();
      await api;
      log('info', 'outbox ended');
    });
    log('info', 'outside');

    // Assess
    const byMessage = Object.fromEntries(lines.map((l) => JSON.parse(l)).map((l) => [l.message, l]));
    for (const m of ['api started', 'api ended'])
      expect(byMessage[m], m).toMatchObject({
        function_name: 'invitations/handlers/create',
        function_request_id: 'req-api',
      });
    for (const m of ['outbox started', 'outbox ended'])
      expect(byMessage[m], m).toMatchObject({
        function_name: 'outbox/handlers/stream',
        function_request_id: 'req-outbox',
      });
    expect(byMessage.outside.function_name).toBeUndefined();
  });

  it('writes nothing while LOG_LEVEL is silent, and again once it is not', () => {
    const lines = written();
    process.env.LOG_LEVEL = 'silent';
    log('error', 'hidden');
    expect(lines).toEqual([]);
    process.env.LOG_LEVEL = 'info';
    log('info', 'shown');
    expect(lines.map((l) => JSON.parse(l).message)).toEqual(['shown']);
  });
});
