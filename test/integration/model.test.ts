/**
 * Model-based suite: random sequences of operations through the local gateway, each answer compared with a reference
 * model (`test/support/model.ts`), and the final table compared with the model's state.
 *
 * What is modelled: two organizations (A, owned by p0; B, owned by p1) and four people p0–p3, each with their own
 * account and a second account with the same verified email and another `sub` (`p0~alt`). Operations: invite and
 * re-invite (with no, the same or other roles), accept (the invitee's account or the other one), revoke, role changes
 * (add or remove organization-admin, billing-admin, deployment-viewer), remove a member, leave, start a migration (with
 * the accept arriving later, racing the wait step, or preceded by the other account's accept), cancel a waiting
 * migration (once the route exists) and accept during the wait, and SSO sign-ins through A's IdP (which has verified
 * the people's domain and maps everyone to deployment-viewer) or B's (another domain: it signs nobody in). Rules: one organization per account, the last
 * organization-admin, a sole member's leave closes the organization, invitations refresh instead of duplicating (same
 * token), an accepted invitation applies the roles it has when the accept commits, the migration's invitation belongs
 * to the migrating user, a migration resumes when its user accepts and ends when its invitation is revoked or its user
 * joins another organization; an SSO sign-in joins (a new account, unless it links to the person's membership in A),
 * replaces a member's roles with the mapped ones (never the last organization-admin's), is refused to someone who
 * belongs elsewhere or is moving, and an organization-admin who did not join through SSO cannot leave or step down
 * while only SSO-joined admins would remain.
 * Not modelled: expiry (the shortest lifetime is an hour), deployments, bills and snapshots (every migration here moves
 * no deployment), rate limits, email content.
 *
 * Concurrency: a command is a batch of one to three operations. fast-check's scheduler (`fc.scheduler()`) releases
 * each request's start and each answer in an order it chooses; a generated dependency makes some requests start only
 * after another's answer was released. The answers must be explained by some serial order of the batch that respects
 * real time (an operation answered before another was sent comes first): the model keeps every state such an order
 * can lead to, and the final table must equal one of them.
 *
 * Budget: MODEL_RUNS runs (default 20) within MODEL_TIME_LIMIT_MS (default 60 s). The seed is printed; replay a
 * failure with MODEL_SEED=<seed> MODEL_PATH=<path> (both printed by fast-check), MODEL_SHRINK=1 to shrink it.
 */

import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { scanAll } from '../../functions/shared/invariants.ts';
import { ssoSubject, ssoUserId } from '../../functions/sso/signin.ts';
import { localUserId } from '../../local/jwt.ts';
import { defaultNameId } from '../../local/saml-idp.ts';
import {
  type Account,
  type Answer,
  initialState,
  legalAnswers,
  type MigrationStatus,
  type Op,
  type OrgKey,
  personOf,
  ROLES,
  type Role,
  type State,
  serialOrders,
  stateKey,
  stepAndExplain,
} from '../support/model.ts';
import { ssoOrganization, ssoSignIn } from '../support/sso.ts';
import { type ApiResponse, useStack } from '../support/stack.ts';

// Migrations left waiting must not time out while the file runs: the model has no clock.
const api = useStack({
  taskTimeoutMs: 600_000,
  localOnly: "compares the whole table with a model's state, so it needs a table of its own",
});

const SEED = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : randomBytes(4).readUInt32LE() | 0;
const PATH = process.env.MODEL_PATH;
const RUNS = Number(process.env.MODEL_RUNS ?? 20);
const TIME_LIMIT_MS = Number(process.env.MODEL_TIME_LIMIT_MS ?? 60_000);
const PEOPLE = ['p0', 'p1', 'p2', 'p3'];
const CREATOR: Record<OrgKey, Account> = { A: 'p0', B: 'p1' };
const WAIT_STEP = 'Wait for invitation acceptance';
const MAX_CANDIDATES = 64;
/** Whether `POST /migrations/{id}/_cancel` exists (probed once); cancels are generated only then. */
let cancelRoute = false;
/** How often each kind of operation got each answer over the whole file (printed, to see what was exercised). */
const tally = new Map<string, number>();
const count = (op: Op, a: Answer) => {
  const k = `${op.kind} ${a.status}`;
  tally.set(k, (tally.get(k) ?? 0) + 1);
};

interface Model {
  /** Every state the answers so far can be explained by. */
  states: State[];
}

/** One run's real world: its organizations, accounts and what the answers taught (tokens, migration ids). */
interface Real {
  s: fc.Scheduler;
  run: string;
  orgIds: Record<OrgKey, string>;
  repos: Record<Account, string>;
  tokens: Map<string, string>;
  trace: string[];
  /** Each organization's IdP login identifier (`org:<it>` signs in through that IdP). */
  loginIds: Record<OrgKey, string>;
}

/** Every person's address is in the run's own domain, which A verifies: A's IdP may sign any of them in. */
const domainOf = (run: string) => `m${run}.test`;
const emailOf = (run: string, person: string) => `${person}-${run}@${domainOf(run)}`;
/** A's id per run, for the user ids SSO sign-ins make (derived from the organization and the IdP identity). */
const orgA = new Map<string, string>();
const subOf = (run: string, account: Account) => {
  const email = emailOf(run, personOf(account));
  if (account.endsWith('~sso'))
    return ssoUserId(orgA.get(run)!, ssoSubject(api.stack.samlIdp.issuer, defaultNameId(email)));
  const id = localUserId(email);
  return account.includes('~') ? `alt-${id}` : id;
};
const bearer = new Map<string, Promise<string>>();
function tokenFor(run: string, account: Account): Promise<string> {
  const key = `${run}|${account}`;
  let t = bearer.get(key);
  if (!t) {
    t = api.token(emailOf(run, personOf(account)), { sub: subOf(run, account) });
    bearer.set(key, t);
  }
  return t;
}

const roleBody = (orgId: string, roles: Role[]) => {
  const org = roles.filter((r) => r !== 'deployment-viewer');
  return {
    ...(org.length ? { organization: org.map((role_id) => ({ role_id, organization_id: orgId })) } : {}),
    ...(roles.includes('deployment-viewer')
      ? { deployment: [{ role_id: 'deployment-viewer', organization_id: orgId, all: true }] }
      : {}),
  };
};

/** Role ids in a stored or answered `role_assignments`, as the model names them. */
const rolesOf = (ra: any): Role[] =>
  [
    ...(ra?.organization ?? []).map((a: any) => a.role_id),
    ...(ra?.deployment ?? []).map((a: any) => (a.all ? a.role_id : `${a.role_id}:${a.deployment_ids}`)),
  ].sort() as Role[];

const answerOf = (res: ApiResponse): Answer => ({
  status: res.status,
  ...(res.body?.errors?.[0]?.code ? { code: res.body.errors[0].code } : {}),
  ...(res.body?.invitations?.[0]?.token ? { token: res.body.invitations[0].token } : {}),
  ...(typeof res.body?.id === 'string' ? { id: res.body.id } : {}),
});

async function send(r: Real, op: Op): Promise<ApiResponse> {
  if (op.kind === 'workflow') throw new Error('the workflow is not a request');
  if (op.kind === 'sso') {
    // The whole chain, as a browser: the answer is the token's 200 or the status of the page it ended on.
    const res = await ssoSignIn(api, emailOf(r.run, op.person), {
      ...(op.org === 'B' ? { loginHint: `org:${r.loginIds.B}` } : {}),
    });
    const status = 'token' in res ? 200 : res.page.status;
    return {
      status,
      body: {},
      headers: new Headers(),
      text: 'page' in res ? res.page.text.slice(0, 300) : '',
    };
  }
  const token = await tokenFor(r.run, op.actor);
  const v1 = '/api/v1';
  switch (op.kind) {
    case 'invite':
      return api.call('POST', `${v1}/organizations/${r.orgIds[op.org]}/invitations`, {
        token,
        body: {
          emails: [emailOf(r.run, op.person)],
          ...(op.roles ? { role_assignments: roleBody(r.orgIds[op.org], op.roles) } : {}),
        },
      });
    case 'accept':
      return api.call('POST', `${v1}/organizations/invitations/${op.token}/_accept`, { token });
    case 'revoke':
      return api.call('DELETE', `${v1}/organizations/${r.orgIds[op.org]}/invitations/${op.token}`, { token });
    case 'roles':
      // The body names an organization, as a console would (the one it believes the target is in).
      return api.call(
        op.mode === 'add' ? 'POST' : 'DELETE',
        `${v1}/users/${subOf(r.run, op.target)}/role_assignments`,
        {
          token,
          body: roleBody(r.orgIds[op.org], op.roles),
        },
      );
    case 'remove':
      return api.call(
        'DELETE',
        `${v1}/organizations/${r.orgIds[op.org]}/members/${subOf(r.run, op.target)}`,
        {
          token,
        },
      );
    case 'start':
      return api.call('POST', `${v1}/migrations`, {
        token,
        body: { target_organization_id: r.orgIds[op.target], repository_id: r.repos[op.actor] },
      });
    case 'cancel':
      return api.call('POST', `${v1}/migrations/${op.migration}/_cancel`, { token });
  }
}

const describeOp = (op: Op): string => {
  switch (op.kind) {
    case 'invite':
      return `${op.actor} invites ${op.person} to ${op.org}${op.roles ? ` as [${op.roles}]` : ''}`;
    case 'accept':
      return `${op.actor} accepts ${op.org}'s invitation of ${op.person}`;
    case 'revoke':
      return `${op.actor} revokes ${op.org}'s invitation of ${op.person}`;
    case 'roles':
      return `${op.actor} ${op.mode}s [${op.roles}] ${op.mode === 'add' ? 'to' : 'from'} ${op.target}`;
    case 'remove':
      return op.actor === op.target
        ? `${op.actor} leaves ${op.org}`
        : `${op.actor} removes ${op.target} from ${op.org}`;
    case 'start':
      return `${op.actor} starts a migration to ${op.target}`;
    case 'workflow':
      return `the workflow of ${op.migration} runs to its wait`;
    case 'cancel':
      return `${op.actor} cancels ${op.migration}`;
    case 'sso':
      return `${op.person} signs in through ${op.org}'s IdP`;
  }
};

const says = (a: Answer) => `${a.status}${a.code ? ` ${a.code}` : ''}`;

/**
 * Keep every candidate state that some serial order of `ops` (respecting `precedes`) explains with `answers`; fail
 * with the whole story when none does.
 */
function linearize(
  m: Model,
  r: Real,
  ops: Op[],
  answers: Answer[],
  precedes: (i: number, j: number) => boolean,
) {
  for (const [i, op] of ops.entries()) count(op, answers[i]!);
  const next = new Map<string, State>();
  for (const st of m.states) {
    for (const order of serialOrders(ops.length, precedes)) {
      let cur: State | undefined = st;
      for (const i of order) {
        cur = stepAndExplain(cur, ops[i]!, answers[i]!);
        if (!cur) break;
      }
      if (cur) next.set(stateKey(cur), cur);
    }
  }
  if (next.size === 0) {
    const lines = ops.map(
      (op, i) =>
        `  ${describeOp(op)}: answered ${says(answers[i]!)}; alone, the model allows ${legalAnswers(m.states[0]!, op)}`,
    );
    throw new Error(
      `No serial order of these concurrent operations explains their answers:\n${lines.join('\n')}\nTrace:\n${r.trace.join('\n')}\nModel state: ${JSON.stringify(m.states[0])}`,
    );
  }
  m.states = [...next.values()].slice(0, MAX_CANDIDATES);
}

/**
 * Resolve an intent into an operation against the model's current state: `pick` chooses among the accounts,
 * members and invitations that exist now (so most operations do something), sometimes among all of them.
 */
function resolve(r: Real, spec: OpSpec, st: State): Op {
  const accounts = PEOPLE.flatMap((p) => [p, `${p}~alt`]);
  const choose = <T>(xs: T[], fallback: T[]): T => {
    const from = xs.length && !spec.wild ? xs : fallback;
    return from[spec.pick % from.length]!;
  };
  const org = st.orgs[spec.org];
  const members = Object.keys(org.members).sort();
  const admins = members.filter((a) => org.members[a]!.roles.includes('organization-admin'));
  const actor = spec.byAdmin ? choose(admins, accounts) : choose(members, accounts);
  const others = spec.pick % 5 === 0 ? members : members.filter((a) => a !== CREATOR[spec.org]);
  const tokenOf = (o: OrgKey, person: string) => r.tokens.get(`${o}|${person}`) ?? `unknown${'x'.repeat(36)}`;
  switch (spec.kind) {
    case 'invite':
      return {
        kind: 'invite',
        actor,
        org: spec.org,
        person: PEOPLE[spec.person]!,
        ...(spec.roles ? { roles: spec.roles } : {}),
      };
    case 'accept': {
      const pending = (['A', 'B'] as const).flatMap((o) =>
        Object.entries(st.orgs[o].invitations)
          .filter(([, i]) => i.status === 'pending')
          .map(([person]) => [o, person] as const),
      );
      const [o, person] = choose(pending, [[spec.org, PEOPLE[spec.person]!] as const]);
      return {
        kind: 'accept',
        actor: spec.alt ? `${person}~alt` : person,
        org: o,
        person,
        token: tokenOf(o, person),
      };
    }
    case 'revoke': {
      const pending = Object.entries(org.invitations)
        .filter(([, i]) => i.status === 'pending')
        .map(([person]) => person);
      const person = choose(pending, PEOPLE);
      return { kind: 'revoke', actor, org: spec.org, person, token: tokenOf(spec.org, person) };
    }
    case 'roles':
      return {
        kind: 'roles',
        actor,
        org: spec.org,
        target: choose(members, accounts),
        mode: spec.mode,
        roles: spec.roles,
      };
    // Leaving and removal mostly spare the creators, so organizations stay open long enough to be interesting.
    case 'remove':
      return { kind: 'remove', actor, org: spec.org, target: choose(others, accounts) };
    case 'leave': {
      const target = choose(others, accounts);
      return { kind: 'remove', actor: target, org: spec.org, target };
    }
    // Mostly through A's IdP, which can sign them in.
    case 'sso':
      return { kind: 'sso', person: PEOPLE[spec.person]!, org: spec.pick % 4 === 0 ? 'B' : 'A' };
  }
}

/** What a migration looks like now: waiting (at the wait, re-invite done), finished, or still on its way. */
async function observeMigration(
  r: Real,
  account: Account,
  id: string,
): Promise<MigrationStatus | 'on its way'> {
  const res = await api.call('GET', `/api/v1/migrations/${id}`, { token: await tokenFor(r.run, account) });
  if (res.status !== 200) throw new Error(`GET migration ${id} answered ${res.status}: ${res.text}`);
  const m = res.body;
  if (m.status === 'succeeded') return 'succeeded';
  if (m.status !== 'running') return 'failed';
  const reinvited = m.history.some((h: any) => h.step === 'Re-invite to target organization');
  return m.current_step === WAIT_STEP && reinvited ? 'waiting' : 'on its way';
}

/**
 * Wait until every migration the model knows is where the model says (any candidate), then keep the candidates that
 * agree with what is observed.
 */
async function settle(m: Model, r: Real) {
  const ids = new Set(m.states.flatMap((s) => Object.keys(s.migrations)));
  for (const id of ids) {
    const expected = new Set(m.states.map((s) => s.migrations[id]?.status));
    const account = m.states.find((s) => s.migrations[id])!.migrations[id]!.account;
    const deadline = Date.now() + 15_000;
    let seen: string;
    for (;;) {
      seen = await observeMigration(r, account, id);
      if (expected.has(seen as MigrationStatus)) break;
      if (Date.now() > deadline) {
        throw new Error(
          `Migration ${id} of ${account} is ${seen} after 15 s; the model expects ${[...expected].join(' or ')}.\nTrace:\n${r.trace.join('\n')}\nModel state: ${JSON.stringify(m.states[0])}`,
        );
      }
      await new Promise((res) => setTimeout(res, 25));
    }
    m.states = m.states.filter((s) => s.migrations[id]?.status === seen);
  }
}

// ---- commands ----------------------------------------------------------------------------------------------------

/** An intent: `pick` selects among what exists when it runs; `wild` among every account or person instead. */
type OpSpec = { org: OrgKey; pick: number; wild: boolean; byAdmin: boolean; person: number } & (
  | { kind: 'invite'; roles?: Role[] }
  | { kind: 'accept'; alt: boolean }
  | { kind: 'revoke' }
  | { kind: 'roles'; mode: 'add' | 'remove'; roles: Role[] }
  | { kind: 'remove' }
  | { kind: 'leave' }
  | { kind: 'sso' }
);

interface BatchItem {
  spec: OpSpec;
  /** Start only after the answer of this earlier item of the batch was released. */
  after?: number;
  delayMs: number;
}

class Batch implements fc.AsyncCommand<Model, Real> {
  constructor(readonly items: BatchItem[]) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const ops = this.items.map((it) => resolve(r, it.spec, m.states[0]!));
    let clock = 0;
    const sent: number[] = [];
    const done: number[] = [];
    const answered: Promise<Answer>[] = [];
    for (const [i, it] of this.items.entries()) {
      const label = describeOp(ops[i]!);
      const gate =
        it.after === undefined
          ? r.s.schedule(Promise.resolve(), `send: ${label}`)
          : answered[it.after]!.then(() => r.s.schedule(Promise.resolve(), `send: ${label}`));
      answered.push(
        gate.then(async () => {
          if (it.delayMs) await new Promise((res) => setTimeout(res, it.delayMs));
          sent[i] = clock++;
          const res = await send(r, ops[i]!);
          done[i] = clock++;
          if (res.status >= 500) throw new Error(`${label} answered ${res.status}: ${res.text}`);
          return r.s.schedule(Promise.resolve(answerOf(res)), `answer: ${label}`);
        }),
      );
    }
    const answers = await r.s.waitFor(Promise.all(answered));
    for (const [i, op] of ops.entries()) {
      r.trace.push(`  ${this.items.length > 1 ? '‖ ' : ''}${describeOp(op)} → ${says(answers[i]!)}`);
      const token = answers[i]!.token;
      if (op.kind === 'invite' && token) r.tokens.set(`${op.org}|${op.person}`, token);
    }
    linearize(m, r, ops, answers, (i, j) => done[i]! < sent[j]!);
    await settle(m, r);
  }
  toString = () =>
    `batch(${this.items.map((it) => `${JSON.stringify(it.spec)}${it.after !== undefined ? ` after #${it.after}` : ''}${it.delayMs ? ` +${it.delayMs}ms` : ''}`).join(', ')})`;
}

/** Start a migration; then the accept comes later (another command), races the wait step, or follows another account's. */
class Migrate implements fc.AsyncCommand<Model, Real> {
  person = '';
  target: OrgKey = 'A';
  constructor(
    readonly pick: number,
    readonly wild: boolean,
    readonly mode: 'later' | 'race' | 'impostor' | 'cancel',
    readonly delayMs: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    // Usually a member (their own account) moving to the other organization; sometimes anyone anywhere.
    const st = m.states[0]!;
    const invited = (p: string) =>
      (['A', 'B'] as const).some((o) => o !== st.locks[p] && st.orgs[o].invitations[p]?.status === 'pending');
    const movers = PEOPLE.filter((p) => st.locks[p] && invited(p));
    const members = PEOPLE.filter((p) => st.locks[p]);
    const from = movers.length ? movers : members;
    this.person =
      !this.wild && from.length ? from[this.pick % from.length]! : PEOPLE[this.pick % PEOPLE.length]!;
    const own = st.locks[this.person];
    this.target = this.wild || !own ? (['A', 'B'] as const)[this.pick % 2]! : own === 'A' ? 'B' : 'A';
    const target = st.orgs[this.target];
    const admin = Object.keys(target.members)
      .sort()
      .find((a) => target.members[a]!.roles.includes('organization-admin'));
    if (!this.wild && !movers.includes(this.person) && admin) {
      // Nobody is invited across yet: the target's admin invites the mover first (checked like any invite).
      const inv: Op = { kind: 'invite', actor: admin, org: this.target, person: this.person };
      const ans = answerOf(await send(r, inv));
      r.trace.push(`  ${describeOp(inv)} → ${says(ans)}`);
      if (ans.token) r.tokens.set(`${this.target}|${this.person}`, ans.token);
      linearize(m, r, [inv], [ans], () => false);
    }
    const start: Op = { kind: 'start', actor: this.person, target: this.target };
    const res = await send(r, start);
    const a = answerOf(res);
    r.trace.push(`  ${describeOp(start)} → ${says(a)}${a.id ? ` (${a.id})` : ''}`);
    if (res.status >= 500) throw new Error(`start answered ${res.status}: ${res.text}`);
    linearize(m, r, [start], [a], () => false);
    if (res.status !== 201 || !a.id) return;
    const id = a.id;
    const workflow: Op = { kind: 'workflow', migration: id };
    const accept = (actor: Account): Op => ({
      kind: 'accept',
      actor,
      org: this.target,
      person: this.person,
      token: r.tokens.get(`${this.target}|${this.person}`) ?? 'none',
    });
    const acceptNow = async (op: Op) => {
      const ans = answerOf(await send(r, op));
      r.trace.push(`  ${describeOp(op)} → ${says(ans)}`);
      linearize(m, r, [op], [ans], () => false);
    };
    if (this.mode === 'race') {
      // Accept as soon as the user has left the source: while the workflow re-invites and stores its task token.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const got = await api.call('GET', `/api/v1/migrations/${id}`, {
          token: await tokenFor(r.run, this.person),
        });
        if (got.body?.left_at || got.body?.status !== 'running' || Date.now() > deadline) break;
        await new Promise((res2) => setTimeout(res2, 2));
      }
      if (this.delayMs) await new Promise((res2) => setTimeout(res2, this.delayMs));
      r.trace.push(`  ${describeOp(workflow)}`);
      linearize(m, r, [workflow], [{ status: 0 }], () => false);
      await acceptNow(accept(this.person));
    } else {
      r.trace.push(`  ${describeOp(workflow)}`);
      linearize(m, r, [workflow], [{ status: 0 }], () => false);
      await settle(m, r);
      if (this.mode === 'impostor') {
        await acceptNow(accept(`${this.person}~alt`));
        await acceptNow(accept(this.person));
      }
      if (this.mode === 'cancel' && cancelRoute) {
        await acceptNow({ kind: 'cancel', actor: this.person, migration: id });
        // Cancelled after leaving: the invitation is still there, and its accept joins the target.
        await settle(m, r);
        await acceptNow(accept(this.person));
      }
    }
    await settle(m, r);
  }
  toString = () =>
    `migrate(#${this.pick}${this.wild ? ' wild' : ''}, accept ${this.mode}${this.delayMs ? ` +${this.delayMs}ms` : ''})`;
}

class Cancel implements fc.AsyncCommand<Model, Real> {
  constructor(readonly person: string) {}
  check = (m: Readonly<Model>) =>
    Object.values(m.states[0]!.migrations).some((g) => g.account === this.person && g.status === 'waiting');
  async run(m: Model, r: Real) {
    const id = Object.entries(m.states[0]!.migrations).find(
      ([, g]) => g.account === this.person && g.status === 'waiting',
    )![0];
    const op: Op = { kind: 'cancel', actor: this.person, migration: id };
    const a = answerOf(await send(r, op));
    r.trace.push(`  ${describeOp(op)} → ${says(a)}`);
    linearize(m, r, [op], [a], () => false);
    await settle(m, r);
  }
  toString = () => `cancel(${this.person})`;
}

// ---- arbitraries -------------------------------------------------------------------------------------------------

const orgArb = fc.constantFrom<OrgKey>('A', 'B');
const personArb = fc.constantFrom(...PEOPLE);
const rolesArb = fc.subarray(ROLES, { minLength: 1 });
const common = {
  org: orgArb,
  pick: fc.nat(),
  wild: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  byAdmin: fc.oneof(
    { weight: 4, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  person: fc.nat({ max: PEOPLE.length - 1 }),
};
const intent = <T extends Record<string, fc.Arbitrary<unknown>>>(extra: T) =>
  fc.record({ ...common, ...extra }) as unknown as fc.Arbitrary<OpSpec>;

const opSpecArb: fc.Arbitrary<OpSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: intent({
      kind: fc.constant('invite'),
      roles: fc.option(fc.subarray(ROLES), { nil: undefined }),
    }),
  },
  {
    weight: 4,
    arbitrary: intent({
      kind: fc.constant('accept'),
      alt: fc.oneof(
        { weight: 3, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    }),
  },
  { weight: 1, arbitrary: intent({ kind: fc.constant('revoke') }) },
  {
    weight: 2,
    arbitrary: intent({
      kind: fc.constant('roles'),
      mode: fc.constantFrom('add', 'remove'),
      roles: rolesArb,
    }),
  },
  { weight: 1, arbitrary: intent({ kind: fc.constant('remove') }) },
  { weight: 1, arbitrary: intent({ kind: fc.constant('leave') }) },
  { weight: 2, arbitrary: intent({ kind: fc.constant('sso') }) },
);

const batchArb = fc
  .array(
    fc.record({
      spec: opSpecArb,
      afterSeed: fc.option(fc.nat(), { nil: undefined }),
      delayMs: fc.constantFrom(0, 0, 0, 1, 5),
    }),
    {
      minLength: 1,
      maxLength: 3,
    },
  )
  .map(
    (xs) =>
      new Batch(
        xs.map((x, i) => ({
          spec: x.spec,
          delayMs: x.delayMs,
          ...(i > 0 && x.afterSeed !== undefined ? { after: x.afterSeed % i } : {}),
        })),
      ),
  );

const migrateArb = fc
  .tuple(
    fc.nat(),
    fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    fc.constantFrom('later' as const, 'race' as const, 'impostor' as const, 'cancel' as const),
    fc.constantFrom(0, 0, 2, 10),
  )
  .map(([pick, wild, mode, d]) => new Migrate(pick, wild, mode, d));
const cancelArb = personArb.map((p) => new Cancel(p));

// ---- the run -----------------------------------------------------------------------------------------------------

/** Organizations A (p0) and B (p1), and a snapshot repository for each person's own account. */
async function setUp(s: fc.Scheduler): Promise<Real> {
  const run = randomBytes(3).toString('hex');
  const r: Real = {
    s,
    run,
    orgIds: {} as Real['orgIds'],
    repos: {},
    tokens: new Map(),
    trace: [],
    loginIds: {} as Real['loginIds'],
  };
  for (const org of ['A', 'B'] as const) {
    const res = await api.call('POST', '/api/v1/organizations', {
      token: await tokenFor(run, CREATOR[org]),
      body: { name: `Model ${org} ${run}` },
    });
    if (res.status !== 201) throw new Error(`could not create ${org}: ${res.text}`);
    r.orgIds[org] = res.body.id;
  }
  orgA.set(run, r.orgIds.A);
  // A verifies the people's domain and signs them in through the local IdP, every one mapped to deployment-viewer;
  // B sets up the same IdP for a domain of its own.
  for (const [org, domain] of [
    ['A', domainOf(run)],
    ['B', `b${run}.test`],
  ] as const) {
    const idp = await ssoOrganization(
      api,
      { orgId: r.orgIds[org], admin: emailOf(run, CREATOR[org]) },
      domain,
    );
    r.loginIds[org] = idp.login_identifier;
  }
  const mapped = await api.call('POST', `/api/v1/organizations/${r.orgIds.A}/role_mappings`, {
    token: await tokenFor(run, CREATOR.A),
    body: {
      mappings: [
        {
          name: 'everyone',
          enabled: true,
          rule: { any: [{ group: 'staff' }] },
          role_assignments: roleBody(r.orgIds.A, ['deployment-viewer']),
        },
      ],
    },
  });
  if (mapped.status !== 201) throw new Error(`could not map roles: ${mapped.text}`);
  for (const p of PEOPLE) api.stack.samlIdp.users.set({ email: emailOf(run, p), groups: ['staff'] });
  for (const p of PEOPLE) {
    const res = await api.call('POST', '/api/v1/users/me/snapshot-repositories', {
      token: await tokenFor(run, p),
      body: { name: 'moves' },
    });
    if (res.status !== 201) throw new Error(`could not create a repository: ${res.text}`);
    r.repos[p] = res.body.id;
  }
  return r;
}

/** The table as the model sees it: organizations, memberships with roles, invitations, migrations. */
async function observedTable(r: Real) {
  const items = await scanAll(
    (await import('../../functions/shared/clients.ts')).dynamo,
    api.stack.tableName,
  );
  const accountOf = new Map<string, Account>();
  for (const p of PEOPLE) for (const a of [p, `${p}~alt`, `${p}~sso`]) accountOf.set(subOf(r.run, a), a);
  const personOfEmail = new Map(PEOPLE.map((p) => [emailOf(r.run, p), p]));
  const orgs: Record<string, unknown> = {};
  for (const key of ['A', 'B'] as const) {
    const id = r.orgIds[key];
    const mine = items.filter((i) => i.organization_id === id);
    orgs[key] = {
      status: items.find((i) => i.entity === 'Organization' && i.id === id)?.status,
      members: Object.fromEntries(
        mine
          .filter((i) => i.entity === 'Membership')
          .map((i) => [accountOf.get(i.user_id as string) ?? i.user_id, rolesOf(i.role_assignments)]),
      ),
      invitations: Object.fromEntries(
        mine
          .filter((i) => i.entity === 'Invitation')
          .map((i) => [
            personOfEmail.get(i.email as string) ?? i.email,
            {
              status: i.status,
              roles: rolesOf(i.role_assignments),
              ...(i.accepted_by
                ? { acceptedBy: accountOf.get(i.accepted_by as string) ?? i.accepted_by }
                : {}),
            },
          ]),
      ),
    };
  }
  return orgs;
}

/**
 * What the member list answers each open organization's first member: every membership (and no one else) with owners
 * first, and a total equal to their number. The lists are index attributes the same transactions write; a join, leave
 * or role change landing between two others must not leave anyone out, twice, or ranked by a role they lost.
 */
async function listDisagreements(r: Real): Promise<string[]> {
  const items = await scanAll(
    (await import('../../functions/shared/clients.ts')).dynamo,
    api.stack.tableName,
  );
  const accountOf = new Map<string, Account>();
  for (const p of PEOPLE) for (const a of [p, `${p}~alt`, `${p}~sso`]) accountOf.set(subOf(r.run, a), a);
  const problems: string[] = [];
  for (const key of ['A', 'B'] as const) {
    const id = r.orgIds[key];
    const members = items.filter((i) => i.entity === 'Membership' && i.organization_id === id);
    const reader = accountOf.get(members[0]?.user_id as string);
    if (!reader) continue;
    const res = await api.call('GET', `/api/v1/organizations/${id}/members?size=1000`, {
      token: await tokenFor(r.run, reader),
    });
    const rows = (res.body.members ?? []) as { user_id: string }[];
    const admins = new Set(members.filter((m) => m.is_admin).map((m) => m.user_id as string));
    const listed = rows.map((m) => m.user_id).sort();
    const stored = members.map((m) => m.user_id as string).sort();
    if (JSON.stringify(listed) !== JSON.stringify(stored) || res.body.total !== members.length)
      problems.push(
        `${key} lists ${listed.join(',')} (total ${res.body.total}); the table has ${stored.join(',')}`,
      );
    const firstMember = rows.findIndex((m) => !admins.has(m.user_id));
    if (firstMember >= 0 && rows.slice(firstMember).some((m) => admins.has(m.user_id)))
      problems.push(`${key} lists an owner after a member: ${rows.map((m) => m.user_id).join(',')}`);
  }
  return problems;
}

const modelTable = (s: State) =>
  Object.fromEntries(
    (['A', 'B'] as const).map((k) => {
      const o = s.orgs[k];
      return [
        k,
        {
          status: o.status,
          members: Object.fromEntries(Object.entries(o.members).map(([a, m]) => [a, m.roles])),
          invitations: Object.fromEntries(
            Object.entries(o.invitations).map(([p, i]) => [
              p,
              { status: i.status, roles: i.roles, ...(i.acceptedBy ? { acceptedBy: i.acceptedBy } : {}) },
            ]),
          ),
        },
      ];
    }),
  );

/** Whether `POST /migrations/{id}/_cancel` exists: an unknown migration then answers migration.not_found. */
async function cancelRouteExists(): Promise<boolean> {
  const res = await api.call('POST', '/api/v1/migrations/no-such-migration/_cancel', {
    token: await api.token(api.email('model-probe')),
  });
  return !(res.status === 405 || (res.status === 404 && res.body?.errors?.[0]?.code === 'root.not_found'));
}

describe('the service against its reference model', () => {
  it(
    'answers every random sequence of concurrent operations as some serial order would, and ends in the same table',
    async () => {
      const withCancel = await cancelRouteExists();
      cancelRoute = withCancel;
      console.log(
        `model suite: seed=${SEED}${PATH ? ` path=${PATH}` : ''} runs=${RUNS} cancel=${withCancel ? 'on' : 'off (route absent)'} (replay: MODEL_SEED=${SEED})`,
      );
      const commandArbs = [
        ...Array.from({ length: 6 }, () => batchArb),
        migrateArb,
        migrateArb,
        ...(withCancel ? [cancelArb] : []),
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.commands(commandArbs, { maxCommands: 20, size: 'max' }),
          async (s, cmds) => {
            const real = await setUp(s);
            const model: Model = { states: [initialState()] };
            try {
              await fc.asyncModelRun(() => ({ model, real }), cmds);
              const observed = stateKey(await observedTable(real));
              const candidates = model.states.map((st) => stateKey(modelTable(st)));
              if (!candidates.includes(observed)) {
                throw new Error(
                  `The table differs from every state the model allows.\nTable: ${observed}\nModel: ${candidates.join('\nor:    ')}\nTrace:\n${real.trace.join('\n')}`,
                );
              }
              if (process.env.MODEL_VERBOSE) console.log(`run ${real.run}:\n${real.trace.join('\n')}`);
              const lists = await listDisagreements(real);
              if (lists.length)
                throw new Error(
                  `Member lists disagree: ${lists.join('; ')}\nTrace:\n${real.trace.join('\n')}`,
                );
              const violations = await api.violations();
              if (violations.length)
                throw new Error(
                  `Invariants broken: ${violations.join('; ')}\nTrace:\n${real.trace.join('\n')}`,
                );
            } finally {
              // Signed tokens are per run; keep the cache small.
              for (const k of bearer.keys()) if (k.startsWith(`${real.run}|`)) bearer.delete(k);
            }
          },
        ),
        {
          seed: SEED,
          ...(PATH ? { path: PATH } : {}),
          numRuns: RUNS,
          interruptAfterTimeLimit: TIME_LIMIT_MS,
          markInterruptAsFailure: false,
          endOnFailure: !process.env.MODEL_SHRINK,
        },
      );
      console.log(
        `model suite: answers seen ${[...tally]
          .sort()
          .map(([k, n]) => `${k}×${n}`)
          .join(', ')}`,
      );
    },
    TIME_LIMIT_MS + 60_000,
  );
});
