/**
 * Fault injection per handler: for each write (and a few reads), every AWS call the request makes is made to fail in
 * turn, with each kind of failure that call can meet (throttling, a cancelled transaction, a timeout, a 5xx, SES
 * rejecting, Step Functions unavailable). The injection sits in the real clients' middleware, like a failing endpoint;
 * every other call goes to DynamoDB Local, SES and Step Functions as usual.
 *
 * For each: the caller gets a 429 or 5xx (never a bare 500) with the API's error body, or a success when the handler
 * can tolerate that failure; the same request retried without the fault succeeds; the invariants hold.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LATE_WAKEUPS } from '../../functions/outbox/send-rate.ts';
import { dynamo } from '../../functions/shared/clients.ts';
import { ses } from '../../functions/shared/mailer.ts';
import { sfn } from '../../functions/shared/workflow.ts';
import { localUserId } from '../../local/jwt.ts';
import { createDeployment, invite, orgWithAdmin, raiseBill, tokenFromMail } from '../support/factories.ts';
import {
  acceptFromMail,
  assertNothingLost,
  executionEnded,
  finished,
  scene,
  start,
  waitFor,
  waitingForAcceptance,
} from '../support/migration.ts';
import { seeded } from '../support/random.ts';
import { type ApiResponse, useStack } from '../support/stack.ts';

const api = useStack({
  localOnly: 'injects failures into the AWS clients of the handlers running in this process',
});

type Failure = { name: string; message: string; extra?: Record<string, unknown> };
const FAILURES: Record<string, Failure[]> = {
  dynamodb: [
    { name: 'ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
    { name: 'ProvisionedThroughputExceededException', message: 'Throughput exceeded.' },
    { name: 'InternalServerError', message: 'Internal server error', extra: { $fault: 'server' } },
    { name: 'TimeoutError', message: 'Connection timed out after 1000 ms' },
  ],
  transaction: [
    {
      name: 'TransactionCanceledException',
      message:
        'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
      extra: { CancellationReasons: [{ Code: 'TransactionConflict' }] },
    },
  ],
  sesv2: [
    { name: 'TooManyRequestsException', message: 'Too many requests.' },
    { name: 'MessageRejected', message: 'Email address is not verified.' },
    { name: 'TimeoutError', message: 'Connection timed out after 1000 ms' },
  ],
  sfn: [
    { name: 'ThrottlingException', message: 'Rate exceeded' },
    { name: 'ServiceUnavailable', message: 'Service unavailable', extra: { $fault: 'server' } },
  ],
};

/**
 * The plan for the next request: fail call number `at` (1-based, across clients) with `failure`; or, with `command`,
 * the `at`-th call of that command (the outbox's, whose number of schedule writes depends on timing).
 */
let plan: { at: number; command?: string; failure: Failure } | undefined;
/** While set, DynamoDB calls are throttled at random with this probability (the workflow test below). */
let throttleEvery: { rate: number; next: () => number; injected: number } | undefined;
let calls: { client: string; command: string }[] = [];
const tally = { cases: 0, refused: 0, tolerated: 0 };
const absorbed = new Set<string>();

beforeAll(() => {
  for (const [name, client] of [
    ['dynamodb', dynamo],
    ['sesv2', ses],
    ['sfn', sfn],
  ] as const) {
    (client.middlewareStack as typeof dynamo.middlewareStack).add(
      (next, context) => async (args) => {
        calls.push({ client: name, command: String(context.commandName) });
        if (throttleEvery && name === 'dynamodb' && throttleEvery.next() < throttleEvery.rate) {
          throttleEvery.injected++;
          throw Object.assign(new Error('Rate exceeded'), {
            name: 'ThrottlingException',
            $metadata: { httpStatusCode: 400 },
          });
        }
        const position = plan?.command
          ? calls.filter((c) => c.command === plan!.command).length
          : calls.length;
        if (plan && (!plan.command || plan.command === String(context.commandName)) && plan.at === position) {
          const { failure } = plan;
          plan = undefined;
          throw Object.assign(new Error(failure.message), {
            name: failure.name,
            $metadata: { httpStatusCode: failure.extra?.$fault === 'server' ? 500 : 400 },
            ...failure.extra,
          });
        }
        return next(args);
      },
      { step: 'initialize', name: `injectFault-${name}` },
    );
  }
});
afterAll(() => {
  console.log(
    `faults: ${tally.cases} injected, ${tally.refused} answered 429/5xx and succeeded on retry, ${tally.tolerated} absorbed by the handler (${[...absorbed].join('; ')})`,
  );
});

interface Req {
  method: string;
  path: string;
  as?: string;
  token?: string;
  body?: unknown;
}
const send = (r: Req) => api.call(r.method, r.path, { as: r.as, token: r.token, body: r.body });
const acceptPath = (t: string) => `/api/v1/organizations/invitations/${t}/_accept`;

/** Each scenario builds fresh data and returns the request to fault. */
const SCENARIOS: Record<string, (label: string) => Promise<Req>> = {
  'create organization': async (l) => ({
    method: 'POST',
    path: '/api/v1/organizations',
    as: api.email(`${l}-founder`),
    body: { name: 'Faulty' },
  }),
  'rename organization': async (l) => {
    const o = await orgWithAdmin(api, l);
    return {
      method: 'PUT',
      path: `/api/v1/organizations/${o.orgId}`,
      as: o.admin,
      body: { name: 'Renamed' },
    };
  },
  'invite two addresses': async (l) => {
    const o = await orgWithAdmin(api, l);
    return {
      method: 'POST',
      path: `/api/v1/organizations/${o.orgId}/invitations`,
      as: o.admin,
      body: { emails: [api.email(`${l}-x`), api.email(`${l}-y`)] },
    };
  },
  accept: async (l) => {
    const o = await orgWithAdmin(api, l);
    const who = api.email(`${l}-joiner`);
    await invite(api, o, [who]);
    return { method: 'POST', path: acceptPath(await tokenFromMail(api, who)), as: who };
  },
  'revoke an invitation': async (l) => {
    const o = await orgWithAdmin(api, l);
    const who = api.email(`${l}-revoked`);
    await invite(api, o, [who]);
    const token = await tokenFromMail(api, who);
    return { method: 'DELETE', path: `/api/v1/organizations/${o.orgId}/invitations/${token}`, as: o.admin };
  },
  ...Object.fromEntries(
    (['remove a member', 'leave', 'add a role', 'remove a role'] as const).map((what) => [
      what,
      async (l: string): Promise<Req> => {
        const o = await orgWithAdmin(api, l);
        const who = api.email(`${l}-member`);
        await invite(api, o, [who], {
          role_assignments: { organization: [{ role_id: 'billing-admin', organization_id: o.orgId }] },
        });
        expect((await api.call('POST', acceptPath(await tokenFromMail(api, who)), { as: who })).status).toBe(
          200,
        );
        const uid = localUserId(who);
        const roles = { organization: [{ role_id: 'billing-admin', organization_id: o.orgId }] };
        if (what === 'remove a member')
          return { method: 'DELETE', path: `/api/v1/organizations/${o.orgId}/members/${uid}`, as: o.admin };
        if (what === 'leave')
          return { method: 'DELETE', path: `/api/v1/organizations/${o.orgId}/members/${uid}`, as: who };
        return {
          method: what === 'add a role' ? 'POST' : 'DELETE',
          path: `/api/v1/users/${uid}/role_assignments`,
          as: o.admin,
          body:
            what === 'add a role'
              ? { organization: [{ role_id: 'organization-admin', organization_id: o.orgId }] }
              : roles,
        };
      },
    ]),
  ),
  'create a deployment': async (l) => {
    const o = await orgWithAdmin(api, l);
    return {
      method: 'POST',
      path: `/api/v1/organizations/${o.orgId}/deployments`,
      as: o.admin,
      body: { name: 'search' },
    };
  },
  'delete a deployment': async (l) => {
    const o = await orgWithAdmin(api, l);
    const id = await createDeployment(api, o.orgId, o.admin);
    return { method: 'DELETE', path: `/api/v1/organizations/${o.orgId}/deployments/${id}`, as: o.admin };
  },
  'settle a bill': async (l) => {
    const o = await orgWithAdmin(api, l);
    const bill = await raiseBill(api, o.orgId);
    return { method: 'POST', path: `/api/v1/organizations/${o.orgId}/bills/${bill}/_settle`, as: o.admin };
  },
  'create a snapshot repository': async (l) => ({
    method: 'POST',
    path: '/api/v1/users/me/snapshot-repositories',
    as: api.email(`${l}-owner`),
    body: { name: 'backups' },
  }),
  'list members': async (l) => {
    const o = await orgWithAdmin(api, l);
    return {
      method: 'GET',
      path: `/api/v1/organizations/${o.orgId}/members?include=invitations`,
      as: o.admin,
    };
  },
  'look up an invitation': async (l) => {
    const o = await orgWithAdmin(api, l);
    const who = api.email(`${l}-looker`);
    await invite(api, o, [who]);
    return { method: 'GET', path: `/api/v1/organizations/invitations/${await tokenFromMail(api, who)}` };
  },
  'get the organization': async (l) => {
    const o = await orgWithAdmin(api, l);
    return { method: 'GET', path: `/api/v1/organizations/${o.orgId}`, as: o.admin };
  },
  'list my organizations': async (l) => {
    const o = await orgWithAdmin(api, l);
    return { method: 'GET', path: '/api/v1/organizations', as: o.admin };
  },
  'list invitations': async (l) => {
    const o = await orgWithAdmin(api, l);
    await invite(api, o, [api.email(`${l}-listed`)]);
    return { method: 'GET', path: `/api/v1/organizations/${o.orgId}/invitations`, as: o.admin };
  },
  'open the invitation page': async (l) => {
    const o = await orgWithAdmin(api, l);
    const who = api.email(`${l}-reader`);
    await invite(api, o, [who]);
    return { method: 'GET', path: `/invitations/${await tokenFromMail(api, who)}` };
  },
  ...Object.fromEntries(
    (
      ['list deployments', 'get a deployment', 'list projects', 'get a project', 'delete a project'] as const
    ).map((what) => [
      what,
      async (l: string): Promise<Req> => {
        const o = await orgWithAdmin(api, l);
        const base = `/api/v1/organizations/${o.orgId}`;
        if (what === 'list deployments') return { method: 'GET', path: `${base}/deployments`, as: o.admin };
        if (what === 'get a deployment') {
          const id = await createDeployment(api, o.orgId, o.admin);
          return { method: 'GET', path: `${base}/deployments/${id}`, as: o.admin };
        }
        if (what === 'list projects') return { method: 'GET', path: `${base}/projects`, as: o.admin };
        const project = await api.call('POST', `${base}/projects`, {
          as: o.admin,
          body: { name: 'observe', type: 'observability' },
        });
        expect(project.status).toBe(201);
        return {
          method: what === 'get a project' ? 'GET' : 'DELETE',
          path: `${base}/projects/${project.body.id}`,
          as: o.admin,
        };
      },
    ]),
  ),
  'create a project': async (l) => {
    const o = await orgWithAdmin(api, l);
    return {
      method: 'POST',
      path: `/api/v1/organizations/${o.orgId}/projects`,
      as: o.admin,
      body: { name: 'secure', type: 'security' },
    };
  },
  'raise a bill': async (l) => {
    const o = await orgWithAdmin(api, l);
    return {
      method: 'POST',
      path: `/api/v1/organizations/${o.orgId}/bills`,
      token: await api.token(api.email('operator'), { operator: true }),
      body: { amount_cents: 500, description: 'Usage' },
    };
  },
  'list bills': async (l) => {
    const o = await orgWithAdmin(api, l);
    await raiseBill(api, o.orgId);
    return { method: 'GET', path: `/api/v1/organizations/${o.orgId}/bills`, as: o.admin };
  },
  ...Object.fromEntries(
    (['list snapshot repositories', 'list snapshots'] as const).map((what) => [
      what,
      async (l: string): Promise<Req> => {
        const owner = api.email(`${l}-owner`);
        const repo = await api.call('POST', '/api/v1/users/me/snapshot-repositories', {
          as: owner,
          body: { name: 'b' },
        });
        expect(repo.status).toBe(201);
        return what === 'list snapshots'
          ? {
              method: 'GET',
              path: `/api/v1/users/me/snapshot-repositories/${repo.body.id}/snapshots`,
              as: owner,
            }
          : { method: 'GET', path: '/api/v1/users/me/snapshot-repositories', as: owner };
      },
    ]),
  ),
  'start a migration': async (l) => {
    const src = await orgWithAdmin(api, `${l}-src`);
    const mover = api.email(`${l}-mover`);
    await invite(api, src, [mover]);
    expect((await api.call('POST', acceptPath(await tokenFromMail(api, mover)), { as: mover })).status).toBe(
      200,
    );
    const tgt = await orgWithAdmin(api, `${l}-tgt`);
    await invite(api, tgt, [mover]);
    const repo = await api.call('POST', '/api/v1/users/me/snapshot-repositories', {
      as: mover,
      body: { name: 'b' },
    });
    return {
      method: 'POST',
      path: '/api/v1/migrations',
      as: mover,
      body: { target_organization_id: tgt.orgId, repository_id: repo.body.id },
    };
  },
};

for (const what of ['list my migrations', 'get a migration'] as const) {
  SCENARIOS[what] = async (l) => {
    const start = await SCENARIOS['start a migration']!(l);
    const res = await send(start);
    expect(res.status, res.text).toBe(201);
    await settle(start, res);
    return {
      method: 'GET',
      path: what === 'get a migration' ? `/api/v1/migrations/${res.body.id}` : '/api/v1/migrations',
      as: start.as,
    };
  };
}

// A migration that failed after the user left (its restore step broke): `_restore` finishes it by hand.
SCENARIOS['restore a migration by hand'] = async (l) => {
  const s = await scene(api, `rs${l.slice(-6)}`, 1); // organization names are at most 30 characters
  api.stack.faults.set('Restore and verify one deployment', { error: 'StepFailed' });
  let id: string;
  try {
    id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    await acceptFromMail(api, s.user);
    expect((await waitFor(api, s.user, id, finished)).error).toBe('RestorePending');
    await executionEnded(api, id); // its last emails and writes are not the restore's calls
  } finally {
    api.stack.faults.delete('Restore and verify one deployment');
  }
  return { method: 'POST', path: `/api/v1/migrations/${id}/_restore`, as: s.user };
};

/** A started migration keeps working in the background; let it reach its wait so its calls are not counted. */
async function settle(req: Req, res: ApiResponse) {
  if (req.method === 'POST' && req.path === '/api/v1/migrations' && res.status < 300) {
    await waitFor(api, req.as!, res.body.id, (m) => finished(m) || waitingForAcceptance(m));
  }
}

/**
 * The outbox works in the background in this process, through the same clients: pause it while a request runs, so
 * that the calls counted are the request's own (the outbox's calls fail in turn in their own test below).
 */
async function quietOutbox() {
  await api.outboxIdle();
  api.stack.outbox.pause();
}

function expectRetryable(res: ApiResponse, context: string) {
  expect([429, 502, 503], context).toContain(res.status);
  expect(res.body.errors?.[0], context).toMatchObject({
    code: expect.any(String),
    message: expect.any(String),
  });
  expect(res.text, context).not.toMatch(/\bat \S+\.(ts|js):\d+|Exception|stack/);
  if (res.status !== 502) expect(res.headers.get('retry-after'), context).toBe('1');
}

describe('every AWS call of every write fails in turn; the caller can retry, nothing breaks', () => {
  it.each(Object.keys(SCENARIOS))('%s', async (name) => {
    const build = SCENARIOS[name]!;
    // A clean run first: which calls does this request make?
    const clean = await build(`${name.replace(/\W/g, '').slice(0, 16)}-clean`);
    await quietOutbox();
    calls = [];
    const ok = await send(clean);
    api.stack.outbox.resume();
    expect(ok.status, ok.text).toBeLessThan(300);
    const made = [...calls];
    await settle(clean, ok);
    expect(made.length).toBeGreaterThan(0);

    let n = 0;
    for (const [at, call] of made.entries()) {
      const kinds = [
        ...(FAILURES[call.client] ?? []),
        ...(call.command.startsWith('TransactWrite') ? FAILURES.transaction! : []),
      ];
      for (const failure of kinds) {
        const req = await build(`${name.replace(/\W/g, '').slice(0, 16)}-${n++}`);
        const context = `${name}: call ${at + 1} (${call.client} ${call.command}) fails with ${failure.name}`;
        await quietOutbox();
        calls = [];
        plan = { at: at + 1, failure };
        const res = await send(req);
        plan = undefined;
        api.stack.outbox.resume();
        tally.cases++;
        if (res.status < 300) {
          tally.tolerated++;
          absorbed.add(`${name}: ${call.client} ${call.command}`);
        } else {
          expectRetryable(res, `${context}: ${res.text}`);
          const retried = await send(req);
          expect(retried.status, `${context}, retried: ${retried.text}`).toBeLessThan(300);
          tally.refused++;
          await settle(req, retried);
        }
        await settle(req, res);
      }
    }
    expect(await api.violations()).toEqual([]);
  });
});

describe('every AWS call of the outbox fails in turn; the email still goes out, once', () => {
  it('invite one address', async () => {
    const inviteQueued = async (label: string) => {
      const o = await orgWithAdmin(api, label);
      const who = api.email(`${label}-x`);
      await quietOutbox();
      expect((await invite(api, o, [who])).status).toBe(201);
      return { o, who };
    };
    const clean = await inviteQueued('obx-clean');
    calls = [];
    api.stack.outbox.resume();
    await api.outboxIdle();
    const made = [...calls];
    // Read the invitation, reserve a slot on the shared schedule (one write, or two when this process guessed the
    // schedule's state wrong: busy or idle; again for each slot given up after waking late, on a loaded machine), send,
    // mark sent.
    const reservations = (MAX_LATE_WAKEUPS + 1) * 2;
    expect(made.map((c) => c.command).join(' ')).toMatch(
      new RegExp(
        `^GetItemCommand (UpdateItemCommand ){1,${reservations}}SendEmailCommand UpdateItemCommand$`,
      ),
    );
    expect(await api.mailTo(clean.who)).toHaveLength(1);

    let n = 0;
    for (const [at, call] of made.entries()) {
      for (const failure of FAILURES[call.client] ?? []) {
        const context = `outbox call ${at + 1} (${call.client} ${call.command}) fails with ${failure.name}`;
        const { o, who } = await inviteQueued(`obx-${n++}`);
        calls = [];
        // The k-th call of this command, as in the clean run: the schedule may take more writes this time.
        const nth = made.slice(0, at + 1).filter((c) => c.command === call.command).length;
        plan = { at: nth, command: call.command, failure };
        api.stack.outbox.resume();
        await api.outboxIdle();
        plan = undefined;
        tally.cases++;
        const listed = (
          await api.call('GET', `/api/v1/organizations/${o.orgId}/invitations`, { as: o.admin })
        ).body.invitations[0];
        if (failure.name === 'MessageRejected') {
          // SES refused this address for good: recorded, not retried.
          expect(await api.mailTo(who), context).toEqual([]);
          expect(listed, context).toMatchObject({ email_status: 'failed', email_error: expect.any(String) });
        } else {
          expect(await api.mailTo(who), context).toHaveLength(1);
          expect(listed.email_status, context).toBe('sent');
        }
        tally.tolerated++;
        absorbed.add(`outbox: ${call.client} ${call.command}`);
      }
    }
    expect(api.stack.outbox.failures).toEqual([]);
    expect(await api.violations()).toEqual([]);
  });
});

// Seeded, so a failing run can be repeated with WORKFLOW_THROTTLE_SEED (call order still depends on timing).
const SEED = Number(process.env.WORKFLOW_THROTTLE_SEED ?? 11);

describe('throttling inside the migration workflow', () => {
  it("4% of DynamoDB calls throttled past the SDK's own retries while a migration of 3 deployments runs: the tasks retry and it succeeds", async () => {
    const s = await scene(api, 'throttled', 3);
    const id = await start(api, s);
    throttleEvery = { rate: 0.04, next: seeded(SEED).next, injected: 0 };
    try {
      // The test's own calls meet the throttling too; waitFor keeps polling through a 429.
      const w = await waitFor(api, s.user, id, (m) => finished(m) || waitingForAcceptance(m), 30_000);
      expect(w.status, JSON.stringify(w)).toBe('running');
      const token = await tokenFromMail(api, s.user);
      let accepted: ApiResponse | undefined;
      for (let attempt = 0; attempt < 5 && accepted?.status !== 200; attempt++)
        accepted = await api.call('POST', acceptPath(token), { as: s.user });
      expect(accepted?.status, accepted?.text).toBe(200);
      const m = await waitFor(api, s.user, id, finished, 30_000);
      const injected = throttleEvery.injected;
      throttleEvery = undefined;
      expect(m.status, JSON.stringify(m)).toBe('succeeded');
      expect(injected).toBeGreaterThan(0);
      await assertNothingLost(api, s, m);
      console.log(
        `workflow throttling: ${injected} DynamoDB calls throttled during the migration; it succeeded`,
      );
    } finally {
      throttleEvery = undefined;
    }
    expect(await api.violations()).toEqual([]);
  }, 60_000);
});
