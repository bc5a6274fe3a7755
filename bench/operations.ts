/**
 * 1. The operations table: each API operation through the local gateway, its DynamoDB round trips and units, handler
 * time and the floor (the same AWS requests replayed bare). The organizations made here serve the later parts.
 */
import { localUserId } from '../local/jwt.ts';
import { type Bench, measure, OPERATIONS_HEADER } from './context.ts';

/** The organizations of the operations table, one per sample, and their admins: the later parts invite through them. */
export interface Fleet {
  admin: (i: number) => string;
  orgOf: string[];
  /** The token of the invitation sample `i`'s organization holds for `email`. */
  tokenFor: (i: number, email: string) => Promise<string>;
}

export async function benchOperations(b: Bench): Promise<Fleet> {
  const { call, run, n: N } = b;
  console.log(OPERATIONS_HEADER(N));
  const admin = (i: number) => `admin-${run}-${i}@example.com`;
  const one = (i: number) => `one-${i}-${run}@example.com`;
  const many = (i: number, k: number, n: number) => `m${n}-${k}-${i}-${run}@example.com`;
  const orgOf: string[] = [];
  const tokenFor = async (i: number, email: string) =>
    (await call('GET', `/api/v1/organizations/${orgOf[i]}/invitations`, admin(i))).body.invitations.find(
      (x: { email: string }) => x.email === email,
    ).token as string;

  await measure(b, 'create organization', N, async (i) => async () => {
    const r = await call('POST', '/api/v1/organizations', admin(i), { name: 'Bench' });
    orgOf[i] = r.body.id;
    return r;
  });
  await measure(
    b,
    'invite 1 address',
    N,
    async (i) => () =>
      call('POST', `/api/v1/organizations/${orgOf[i]}/invitations`, admin(i), { emails: [one(i)] }),
  );
  for (const size of [25, 100]) {
    await measure(
      b,
      `invite ${size} addresses`,
      N,
      async (i) => () =>
        call('POST', `/api/v1/organizations/${orgOf[i]}/invitations`, admin(i), {
          emails: Array.from({ length: size }, (_, k) => many(i, k, size)),
        }),
    );
  }
  await measure(b, 'accept', N, async (i) => {
    const token = await tokenFor(i, one(i));
    return () => call('POST', `/api/v1/organizations/invitations/${token}/_accept`, one(i));
  });
  await measure(
    b,
    'list members (first page)',
    N,
    async (i) => () => call('GET', `/api/v1/organizations/${orgOf[i]}/members`, admin(i)),
  );
  await measure(
    b,
    'add a role',
    N,
    async (i) => () =>
      call('POST', `/api/v1/users/${localUserId(one(i))}/role_assignments`, admin(i), {
        organization: [{ role_id: 'billing-admin', organization_id: orgOf[i] }],
      }),
  );
  await measure(
    b,
    'remove a member',
    N,
    async (i) => () =>
      call('DELETE', `/api/v1/organizations/${orgOf[i]}/members/${localUserId(one(i))}`, admin(i)),
  );
  await measure(b, 'leave', N, async (i) => {
    const leaver = many(i, 0, 25);
    const token = await tokenFor(i, leaver);
    await call('POST', `/api/v1/organizations/invitations/${token}/_accept`, leaver);
    return () => call('DELETE', `/api/v1/organizations/${orgOf[i]}/members/${localUserId(leaver)}`, leaver);
  });
  return { admin, orgOf, tokenFor };
}

/** Starting a migration; each run waits for the previous workflow to go idle, so its calls are not counted here. */
export async function benchStartMigration(b: Bench, fleet: Fleet): Promise<void> {
  const { call, run } = b;
  const { admin, orgOf } = fleet;
  const until = async (user: string, id: string, done: (m: any) => boolean) => {
    for (let t = 0; t < 600; t++) {
      const m = (await call('GET', `/api/v1/migrations/${id}`, user)).body;
      if (done(m)) return m;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`migration ${id} stalled`);
  };
  const waiting = (m: any) =>
    m.status !== 'running' ||
    m.history.some((h: any) => h.step === 'Re-invite to target organization' && h.status === 'succeeded');
  let previous: { user: string; id: string } | undefined;
  await measure(b, 'start migration', b.n, async (i) => {
    if (previous) await until(previous.user, previous.id, waiting);
    const mover = `mover-${i}-${run}@example.com`;
    await call('POST', '/api/v1/organizations', mover, { name: 'Source' });
    await call('POST', `/api/v1/organizations/${orgOf[i]}/invitations`, admin(i), { emails: [mover] });
    const repo = (await call('POST', '/api/v1/users/me/snapshot-repositories', mover, { name: 'b' })).body.id;
    return async () => {
      const r = await call('POST', '/api/v1/migrations', mover, {
        target_organization_id: orgOf[i],
        repository_id: repo,
      });
      previous = { user: mover, id: r.body.id };
      return r;
    };
  });
  if (previous) await until(previous.user, previous.id, waiting);
  console.log(
    `\nScan on a request path: ${b.scans.length ? b.scans.join(', ') : 'none'}. Units: the most one request used; reads as DynamoDB reports them (ReturnConsumedCapacity INDEXES), writes counted from the requests as AWS bills them (1 per item, 2 per transactional item) plus index writes (see bench/record.ts).`,
  );
}
