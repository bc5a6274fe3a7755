/**
 * Log lines of the local runtime, where every handler runs in one process at once: each line names its own function,
 * never another invocation's (the outbox polling its stream while API requests are in flight).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROUTES } from '../../functions/routes.ts';
import { invite, orgWithAdmin } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({ localOnly: "reads the in-process handlers' log lines" });

afterEach(() => {
  process.env.LOG_LEVEL = 'silent';
  vi.restoreAllMocks();
});

describe('log lines', () => {
  it('name the function that wrote them while the outbox sends beside concurrent requests', async () => {
    // Prepare
    const org = await orgWithAdmin(api, 'logs');
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    process.env.LOG_LEVEL = 'info';

    // Act: invites (each wakes the outbox) interleaved with reads.
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => [
        invite(api, org, [api.email(`log-${i}`)]),
        api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: org.admin }),
        api.call('GET', '/api/v1/users/me', { as: org.admin }),
      ]).flat(),
    );
    await api.outboxIdle();
    process.env.LOG_LEVEL = 'silent';

    // Assess
    const lines = written
      .flatMap((w) => w.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { message: string; route?: string; function_name?: string });
    const requests = lines.filter((l) => l.message === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(18);
    for (const line of requests) {
      const route = ROUTES.find((r) => `${r.method} ${r.path}` === line.route);
      expect(line.function_name, line.route).toBe(route?.handler);
    }
  });
});
