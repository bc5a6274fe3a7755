/**
 * `npm run races -- --trials 200 [--race 1,2,3,5]`: re-runs the timed races of issue 14 against a fresh local stack
 * and counts outcomes, so "never happens" is a number (0 of N), not a hope.
 *
 * 1. an admin re-invites X with other roles while X accepts the earlier invitation: lost if the membership's roles are
 *    not the invitation's as it ended;
 * 2. the migrating user accepts at the moment the wait step stores its task token: lost if the migration is still
 *    waiting 10 s later with its invitation accepted;
 * 3. another account with the same verified email accepts the migration's invitation: broken unless refused (403);
 * 5. 30 concurrent invites of one address: broken if any answer is not 201.
 *
 * Exit status 1 when any trial broke a promise.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { signDevToken } from '../local/jwt.ts';
import { type LocalStack, startLocalStack } from '../local/stack.ts';

const { values } = parseArgs({
  options: { trials: { type: 'string', default: '50' }, race: { type: 'string', default: '1,2,3,5' } },
});
const TRIALS = Number(values.trials);
// The handlers log every request; the table below is the output.
process.env.LOG_LEVEL ??= 'silent';
const RACES = new Set(values.race.split(',').map((s) => s.trim()));
const run = randomBytes(3).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let stack: LocalStack;
const email = (label: string) => `${label}.${run}@example.com`;
const tokens = new Map<string, Promise<string>>();
const tokenOf = (address: string, sub?: string) => {
  const key = `${address}|${sub ?? ''}`;
  if (!tokens.has(key)) tokens.set(key, signDevToken(stack.keys, address, sub ? { sub } : {}));
  return tokens.get(key)!;
};

async function call(method: string, path: string, as: { email: string; sub?: string }, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await tokenOf(as.email, as.sub)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, body: json, text };
}

const must = async (p: ReturnType<typeof call>, status: number, what: string) => {
  const res = await p;
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text}`);
  return res.body;
};

async function newOrg(label: string) {
  const admin = { email: email(`${label}-admin`) };
  const body = await must(call('POST', '/organizations', admin, { name: label }), 201, 'create organization');
  return { id: body.id as string, admin };
}

const roles = (orgId: string, role: string) => ({
  organization: [{ role_id: role, organization_id: orgId }],
});
const invite = (org: { id: string; admin: { email: string } }, address: string, role?: string) =>
  call('POST', `/organizations/${org.id}/invitations`, org.admin, {
    emails: [address],
    ...(role ? { role_assignments: roles(org.id, role) } : {}),
  });
const accept = (token: string, as: { email: string; sub?: string }) =>
  call('POST', `/organizations/invitations/${token}/_accept`, as);

/** Race 1: re-invite as billing-admin while the invitee accepts the organization-admin invitation. */
async function lostRoleChange(t: number): Promise<string> {
  const org = await newOrg(`r1-${t}`);
  const x = { email: email(`r1-${t}-x`) };
  const inv = await must(invite(org, x.email, 'organization-admin'), 201, 'invite');
  const token = inv.invitations[0].token as string;
  const offset = Math.floor(Math.random() * 12);
  const [re, acc] = await Promise.all([
    invite(org, x.email, 'billing-admin'),
    sleep(offset).then(() => accept(token, x)),
  ]);
  if (acc.status !== 200) return `accept ${acc.status}`;
  const members = await must(call('GET', `/organizations/${org.id}/members`, org.admin), 200, 'members');
  const mine = members.members.find((m: any) => m.email === x.email);
  const got = (mine?.role_assignments?.organization ?? []).map((a: any) => a.role_id).join();
  // The re-invite committed first (201): the accept must apply billing-admin. It came second: it must be refused.
  if (re.status === 201) return got === 'billing-admin' ? 're-invite first' : `LOST (member has ${got})`;
  return re.status === 400 ? 'accept first' : `re-invite ${re.status}`;
}

/** A member of a shared organization with a pending invitation to a target and a repository. */
async function mover(label: string) {
  const source = await newOrg(`${label}-src`);
  const user = { email: email(`${label}-mover`) };
  const inv = await must(invite(source, user.email), 201, 'invite to source');
  await must(accept(inv.invitations[0].token, user), 200, 'accept source');
  const target = await newOrg(`${label}-tgt`);
  const tinv = await must(invite(target, user.email), 201, 'invite to target');
  const repo = await must(
    call('POST', '/users/me/snapshot-repositories', user, { name: 'r' }),
    201,
    'repository',
  );
  const started = await must(
    call('POST', '/migrations', user, { target_organization_id: target.id, repository_id: repo.id }),
    201,
    'start migration',
  );
  return { user, target, token: tinv.invitations[0].token as string, id: started.id as string };
}

async function migrationNow(id: string, user: { email: string }) {
  return (await call('GET', `/migrations/${id}`, user)).body;
}

async function until(id: string, user: { email: string }, done: (m: any) => boolean, ms: number, every = 3) {
  const deadline = Date.now() + ms;
  let m: any;
  do {
    m = await migrationNow(id, user);
    if (done(m)) return m;
    await sleep(every);
  } while (Date.now() < deadline);
  return m;
}

/** Race 2: accept as the wait step stores its task token. */
async function stalledMigration(t: number): Promise<string> {
  const s = await mover(`r2-${t}`);
  await until(
    s.id,
    s.user,
    (m) => m.status !== 'running' || /Re-invite|Wait for invitation/.test(m.current_step ?? ''),
    15_000,
    1,
  );
  await sleep(Math.floor(Math.random() * 15));
  const acc = await accept(s.token, s.user);
  if (acc.status !== 200) return `accept ${acc.status}`;
  const m = await until(s.id, s.user, (x) => x.status !== 'running', 10_000, 50);
  if (m.status === 'running') return `STALLED at ${m.current_step}`;
  return m.status;
}

/** Race 3: another account with the same verified email accepts the migration's invitation. */
async function someoneElse(t: number): Promise<string> {
  const s = await mover(`r3-${t}`);
  await until(
    s.id,
    s.user,
    (m) => m.status !== 'running' || m.current_step === 'Wait for invitation acceptance',
    15_000,
    20,
  );
  const other = await accept(s.token, { email: s.user.email, sub: `other-${run}-${t}` });
  if (other.status === 403) return 'refused (403)';
  return `OTHER ACCOUNT ${other.status}`;
}

/** Race 5: 30 concurrent invites of one address. */
async function concurrentInvites(t: number): Promise<string> {
  const org = await newOrg(`r5-${t}`);
  const x = email(`r5-${t}-x`);
  const answers = await Promise.all(Array.from({ length: 30 }, () => invite(org, x)));
  const bad = answers.filter((a) => a.status !== 201).map((a) => a.status);
  return bad.length === 0 ? 'all 201' : `NOT 201 (${[...new Set(bad)].join(', ')})`;
}

const races: [string, string, (t: number) => Promise<string>][] = [
  ['1', 're-invite with other roles racing accept', lostRoleChange],
  ['2', 'accept racing the wait step storing its token', stalledMigration],
  ['3', "another account accepting the migration's invitation", someoneElse],
  ['5', '30 concurrent invites of one address', concurrentInvites],
];

stack = await startLocalStack({ tableName: `races-${run}`, taskTimeoutMs: 600_000 });
let broken = 0;
try {
  console.log(`| race | trials | broken | outcomes |\n|---|---|---|---|`);
  for (const [n, name, trial] of races) {
    if (!RACES.has(n)) continue;
    const outcomes = new Map<string, number>();
    for (let t = 0; t < TRIALS; t++) {
      let o: string;
      try {
        o = await trial(t);
      } catch (e) {
        o = `ERROR ${(e as Error).message.slice(0, 120)}`;
      }
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    }
    const bad = [...outcomes].filter(([o]) => /^[A-Z]{3,}/.test(o)).reduce((a, [, c]) => a + c, 0);
    broken += bad;
    const list = [...outcomes].map(([o, c]) => `${o}: ${c}`).join('; ');
    console.log(`| ${n}. ${name} | ${TRIALS} | ${bad} | ${list} |`);
  }
} finally {
  await stack.stop();
}
process.exit(broken === 0 ? 0 : 1);
