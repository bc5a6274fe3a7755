/**
 * The reference model of the domain for the model-based suite (`test/integration/model.test.ts`): a small, pure
 * description of organizations, memberships, roles, invitations, the one-organization lock, the last-admin rule and
 * the migration's hand-off, written from PRODUCT.md and the issues, not from the code.
 *
 * It is symbolic: organizations are `A`/`B`, people `p0`…, accounts `p0` (the person's own), `p0~alt` (another
 * account with the same verified email, another `sub`) and `p0~sso` (the account an SSO sign-in makes when it links to
 * nobody). A has verified the people's mail domain and signs them in through its IdP, whose one role mapping gives
 * `deployment-viewer`; B has an IdP too, for another domain, so it can sign none of them in. Tokens are the only real values it holds (learned from the
 * invite answers). `step` returns every answer the specification allows for an operation in a state, each with the
 * state it leads to; where the specification leaves a choice (an order of checks it does not fix), several answers
 * are legal.
 */

export type Role = 'organization-admin' | 'billing-admin' | 'deployment-viewer';
export const ROLES: Role[] = ['organization-admin', 'billing-admin', 'deployment-viewer'];
export type OrgKey = 'A' | 'B';
export type Person = string;
export type Account = string;

export const personOf = (a: Account): Person => a.split('~')[0]!;

export interface MemberState {
  person: Person;
  roles: Role[];
  /** Joined through an SSO sign-in (the admin-reachability rule counts only members who did not). */
  sso?: true;
}

export interface InvitationState {
  token: string;
  status: 'pending' | 'accepted' | 'revoked';
  roles: Role[];
  acceptedBy?: Account;
  /** While a migration waits on it: only this account's accept is allowed (and resumes the migration). */
  boundTo?: Account;
  /** Bound once by a migration that has ended: whether it still refuses other accounts is not specified. */
  looselyBoundTo?: Account;
}

export interface OrgState {
  status: 'open' | 'closed';
  members: Record<Account, MemberState>;
  invitations: Record<Person, InvitationState>;
}

export type MigrationStatus = 'waiting' | 'succeeded' | 'failed';

export interface MigrationState {
  account: Account;
  source: OrgKey;
  target: OrgKey;
  status: MigrationStatus;
}

export interface State {
  orgs: Record<OrgKey, OrgState>;
  /** The one-organization lock of each account. */
  locks: Record<Account, OrgKey>;
  /** A's SSO identities: the account each person's IdP identity signs in as, from their first SSO sign-in on. */
  sso: Record<Person, Account>;
  migrations: Record<string, MigrationState>;
}

export type Op =
  | { kind: 'invite'; actor: Account; org: OrgKey; person: Person; roles?: Role[] }
  | { kind: 'accept'; actor: Account; org: OrgKey; person: Person; token: string }
  | { kind: 'revoke'; actor: Account; org: OrgKey; person: Person; token: string }
  /** `org` is the organization the request body names (role ids are checked against the target's). */
  | { kind: 'roles'; actor: Account; org: OrgKey; target: Account; mode: 'add' | 'remove'; roles: Role[] }
  | { kind: 'remove'; actor: Account; org: OrgKey; target: Account }
  | { kind: 'start'; actor: Account; target: OrgKey }
  /** The workflow's own steps between the start and the wait (validate, back up, leave, re-invite). A target that closes
   * before the leave fails the migration (the user stays); one that closes during the wait fails it too. */
  | { kind: 'workflow'; migration: string }
  | { kind: 'cancel'; actor: Account; migration: string }
  /** `person` signs in through `org`'s IdP (the answer is 200 when a token came back, else the page's status). */
  | { kind: 'sso'; person: Person; org: OrgKey };

/** What came back: status, error code, and (invites) the token, (starts) the migration id. */
export interface Answer {
  status: number;
  code?: string;
  token?: string;
  id?: string;
}

/** A legal answer: `code` undefined means any code with that status. */
export interface Legal {
  status: number;
  code?: string;
  next: State;
  /** For answers that carry a value: whether the observed one is the legal one. */
  accepts?: (a: Answer) => boolean;
}

export function initialState(): State {
  return {
    orgs: {
      A: {
        status: 'open',
        members: { p0: { person: 'p0', roles: ['organization-admin'] } },
        invitations: {},
      },
      B: {
        status: 'open',
        members: { p1: { person: 'p1', roles: ['organization-admin'] } },
        invitations: {},
      },
    },
    locks: { p0: 'A', p1: 'B' },
    migrations: {},
    sso: {},
  };
}

const sorted = (roles: Role[]): Role[] => [...new Set(roles)].sort();
const isAdmin = (m: MemberState | undefined) => m?.roles.includes('organization-admin') ?? false;
const adminCount = (o: OrgState) => Object.values(o.members).filter(isAdmin).length;
/** The SSO mapping's roles: A's one mapping gives every person `deployment-viewer`. */
const MAPPED: Role[] = ['deployment-viewer'];
/**
 * Admin reachability (#21): without these accounts, is an organization-admin who did not join through SSO left? (No
 * mapping grants organization-admin here, so such a member is the only way.) Only where SSO is set up: A and B both.
 */
const nonSsoAdminLeft = (o: OrgState, without: Account[]) =>
  Object.entries(o.members).some(([a, m]) => !without.includes(a) && isAdmin(m) && !m.sso);
const clone = (s: State): State => structuredClone(s);
const err = (state: State, status: number, code?: string): Legal => ({ status, code, next: state });

/** End a waiting migration without consuming its invitation (revoked, cancelled, the user went elsewhere). */
function endMigration(s: State, id: string, status: MigrationStatus) {
  const m = s.migrations[id]!;
  m.status = status;
  const inv = s.orgs[m.target].invitations[personOf(m.account)];
  if (inv?.boundTo === m.account) {
    delete inv.boundTo;
    if (status !== 'succeeded' && inv.status === 'pending') inv.looselyBoundTo = m.account;
  }
}

/** Make `account` a member of `org` (the lock, the membership); a migration waiting elsewhere ends at once. */
function join(s: State, account: Account, org: OrgKey, roles: Role[], sso = false) {
  s.orgs[org].members[account] = {
    person: personOf(account),
    roles: sorted(roles),
    ...(sso ? { sso: true } : {}),
  };
  s.locks[account] = org;
  for (const [id, m] of Object.entries(s.migrations)) {
    if (m.account !== account || m.status !== 'waiting') continue;
    endMigration(s, id, m.target === org ? 'succeeded' : 'failed');
  }
}

/** The last member leaving closes the organization: a migration waiting to join it can never finish, so it fails. */
function leave(s: State, account: Account, org: OrgKey) {
  delete s.orgs[org].members[account];
  delete s.locks[account];
  if (Object.keys(s.orgs[org].members).length > 0) return;
  s.orgs[org].status = 'closed';
  for (const [id, m] of Object.entries(s.migrations))
    if (m.status === 'waiting' && m.target === org) endMigration(s, id, 'failed');
}

/** Every legal answer to `op` in `state`, with the state each leads to. */
export function step(state: State, op: Op): Legal[] {
  const s = clone(state);
  switch (op.kind) {
    case 'invite': {
      const org = s.orgs[op.org];
      if (org.status !== 'open') return [err(state, 404, 'organization.not_found')];
      const me = org.members[op.actor];
      if (!me) return [err(state, 404, 'organization.user_organization_does_not_belong')];
      if (!isAdmin(me)) return [err(state, 403, 'root.invalid_authentication')];
      if (Object.values(org.members).some((m) => m.person === op.person))
        return [err(state, 400, 'organization.user_organization_already_belongs')];
      const existing = org.invitations[op.person];
      if (existing?.status === 'pending') {
        // A refresh: same token, the roles given (or kept), still bound to a waiting migration.
        if (op.roles) existing.roles = sorted(op.roles);
        return [{ status: 201, next: s, accepts: (a) => a.token === existing.token }];
      }
      return [
        {
          status: 201,
          next: s,
          accepts: (a) => {
            if (!a.token || a.token === existing?.token) return false;
            org.invitations[op.person] = { token: a.token, status: 'pending', roles: sorted(op.roles ?? []) };
            return true;
          },
        },
      ];
    }
    case 'accept': {
      const org = s.orgs[op.org];
      const inv = org.invitations[op.person];
      if (!inv || inv.token !== op.token || inv.status === 'revoked')
        return [err(state, 404, 'organization.invitation_not_found')];
      if (inv.status === 'accepted') {
        // A retried accept while still a member: done already. After leaving, the invitation is used up.
        if (inv.acceptedBy === op.actor && org.members[op.actor]) return [err(state, 200)];
        return [err(state, 400, 'organization.invitation_already_accepted')];
      }
      if (inv.boundTo && inv.boundTo !== op.actor) return [err(state, 403)];
      // A binding left by an ended migration may still refuse another account, before or after these checks.
      const legal: Legal[] = [];
      if (inv.looselyBoundTo && inv.looselyBoundTo !== op.actor) legal.push(err(state, 403));
      const refusals: Legal[] = [];
      if (s.locks[op.actor]) refusals.push(err(state, 400, 'organization.user_organization_already_belongs'));
      // One membership per address: another account of this person joined (through SSO) meanwhile.
      else if (Object.values(org.members).some((m) => m.person === op.person))
        refusals.push(err(state, 400, 'organization.user_organization_already_belongs'));
      if (org.status !== 'open') refusals.push(err(state, 404, 'organization.not_found'));
      if (refusals.length) return [...legal, ...refusals]; // the order of these checks is not specified
      inv.status = 'accepted';
      inv.acceptedBy = op.actor;
      delete inv.looselyBoundTo;
      join(s, op.actor, op.org, inv.roles);
      return [...legal, { status: 200, next: s }];
    }
    case 'revoke': {
      const org = s.orgs[op.org];
      if (org.status !== 'open') return [err(state, 404, 'organization.not_found')];
      const me = org.members[op.actor];
      if (!me) return [err(state, 403, 'organization.invalid_access')];
      if (!isAdmin(me)) return [err(state, 403, 'root.invalid_authentication')];
      const inv = org.invitations[op.person];
      if (inv?.token !== op.token || inv.status !== 'pending')
        return [err(state, 404, 'organization.invitation_not_found')];
      inv.status = 'revoked';
      for (const [id, m] of Object.entries(s.migrations))
        if (m.status === 'waiting' && m.target === op.org && personOf(m.account) === op.person)
          endMigration(s, id, 'failed');
      delete inv.boundTo;
      delete inv.looselyBoundTo;
      return [{ status: 200, next: s }];
    }
    case 'roles': {
      const orgKey = s.locks[op.target];
      const invalidTarget = err(state, 400, 'role_assignments.invalid_target_user_id');
      if (!orgKey) return [invalidTarget];
      const org = s.orgs[orgKey];
      const me = org.members[op.actor];
      const member = org.members[op.target];
      if (!me || !member) return [invalidTarget];
      if (!isAdmin(me)) return [err(state, 403, 'role_assignments.unauthorized_role_assignments')];
      if (op.org !== orgKey) return [err(state, 400, 'role_assignments.invalid_config')];
      const next = sorted(
        op.mode === 'add'
          ? [...member.roles, ...op.roles]
          : member.roles.filter((r) => !op.roles.includes(r)),
      );
      if (next.join() === member.roles.join()) return [{ status: 200, next: state }];
      if (isAdmin(member) && !next.includes('organization-admin') && adminCount(org) <= 1)
        return [err(state, 400, 'organization.last_admin')];
      if (
        isAdmin(member) &&
        !next.includes('organization-admin') &&
        !member.sso &&
        !nonSsoAdminLeft(org, [op.target])
      )
        return [err(state, 400, 'org.role_mapping_rule.admin_unreachable')];
      member.roles = next;
      return [{ status: 200, next: s }];
    }
    case 'remove': {
      const org = s.orgs[op.org];
      if (org.status !== 'open') return [err(state, 404, 'organization.not_found')];
      const me = org.members[op.actor];
      if (!me) return [err(state, 403, 'organization.invalid_access')];
      if (op.target !== op.actor && !isAdmin(me)) return [err(state, 403, 'root.invalid_authentication')];
      const target = org.members[op.target];
      if (!target) return [err(state, 404, 'organization.membership_not_found')];
      const remaining = Object.keys(org.members).length - 1;
      if (remaining > 0 && adminCount(org) - (isAdmin(target) ? 1 : 0) < 1)
        return [err(state, 400, 'organization.last_admin')];
      if (remaining > 0 && isAdmin(target) && !target.sso && !nonSsoAdminLeft(org, [op.target]))
        return [err(state, 400, 'org.role_mapping_rule.admin_unreachable')];
      leave(s, op.target, op.org);
      return [{ status: 200, next: s }];
    }
    case 'start': {
      // The same start again (same account, same target) answers the migration it started, even after the leave.
      const same = Object.entries(s.migrations).find(
        ([, m]) => m.account === op.actor && m.target === op.target && m.status === 'waiting',
      );
      if (same) return [{ status: 200, next: state, accepts: (a) => a.id === same[0] }];
      const source = s.locks[op.actor];
      if (!source) return [err(state, 400, 'migration.not_member')];
      if (source === op.target) return [err(state, 400, 'migration.invalid_target')];
      const inv = s.orgs[op.target].invitations[personOf(op.actor)];
      if (s.orgs[op.target].status !== 'open' || inv?.status !== 'pending')
        return [err(state, 400, 'migration.invitation_required')];
      return [
        {
          status: 201,
          next: s,
          accepts: (a) => {
            if (!a.id || s.migrations[a.id]) return false;
            s.migrations[a.id] = { account: op.actor, source, target: op.target, status: 'waiting' };
            // Bound from the start: only the migrating user's accept may consume it.
            inv.boundTo = op.actor;
            delete inv.looselyBoundTo;
            return true;
          },
        },
      ];
    }
    case 'workflow': {
      // Validate, then leave (closing the source when the user was its only member), re-invite, wait.
      const m = s.migrations[op.migration];
      if (m?.status !== 'waiting') return [{ status: 0, next: state }];
      const source = s.orgs[m.source];
      const me = source.members[m.account];
      const sole = Object.keys(source.members).length === 1;
      // The leave's guards: the last admin, and (#21) a non-SSO admin whose going leaves only SSO-joined admins.
      const lastAdmin = !sole && isAdmin(me) && adminCount(source) <= 1;
      const unreachable = !sole && isAdmin(me) && !me?.sso && !nonSsoAdminLeft(source, [m.account]);
      if (!me || source.status !== 'open' || lastAdmin || unreachable) {
        endMigration(s, op.migration, 'failed');
        return [{ status: 0, next: s }];
      }
      // Never leave for a target that closed meanwhile: the migration rolls back, the user stays.
      if (s.orgs[m.target].status !== 'open') {
        endMigration(s, op.migration, 'failed');
        return [{ status: 0, next: s }];
      }
      leave(s, m.account, m.source);
      return [{ status: 0, next: s }];
    }
    case 'sso': {
      // B's IdP vouches for nobody here (403 at its ACS); a closed organization starts no sign-in (the page, 400).
      if (op.org === 'B') return [err(state, s.orgs.B.status === 'open' ? 403 : 400)];
      const org = s.orgs.A;
      if (org.status !== 'open') return [err(state, 400)];
      const member = Object.keys(org.members).find((a) => personOf(a) === op.person);
      const account = s.sso[op.person] ?? member ?? `${op.person}~sso`;
      const own = org.members[account];
      const lock = s.locks[account];
      if (lock && lock !== 'A') return [err(state, 409)]; // belongs elsewhere: the page offers the move
      if (!own && member) return [err(state, 409)]; // another account of theirs is the member (the address is taken)
      const moves = Object.values(s.migrations).filter((m) => m.account === account);
      // A move under way refuses the join; one just ended may still be seen as under way for a moment.
      if (!own && moves.some((m) => m.status === 'waiting')) return [err(state, 409)];
      const legal: Legal[] = !own && moves.length ? [err(state, 409)] : [];
      s.sso[op.person] = account;
      if (own) {
        // The mapped roles replace theirs, but a sign-in never demotes the last organization-admin.
        if (!(isAdmin(own) && adminCount(org) <= 1)) own.roles = sorted(MAPPED);
      } else join(s, account, 'A', MAPPED, true);
      return [...legal, { status: 200, next: s }];
    }
    case 'cancel': {
      const m = s.migrations[op.migration];
      if (!m || m.account !== op.actor) return [err(state, 404)];
      if (m.status !== 'waiting') return [err(state, 400), err(state, 409)];
      endMigration(s, op.migration, 'failed');
      return [
        { status: 200, next: s },
        { status: 202, next: s },
      ];
    }
  }
}

/** Replay `op` from `state` and explain `a`: the next state if `a` is legal, else undefined. */
export function stepAndExplain(state: State, op: Op, a: Answer): State | undefined {
  for (const l of step(state, op)) {
    if (l.status !== a.status || (l.code !== undefined && l.code !== a.code)) continue;
    if (l.accepts && !l.accepts(a)) continue;
    return l.next;
  }
  return undefined;
}

/** The legal answers to `op` in words (for failure messages). */
export const legalAnswers = (state: State, op: Op): string =>
  step(state, op)
    .map((l) => `${l.status}${l.code ? ` ${l.code}` : ''}`)
    .join(' | ');

/** All orders of `n` operations in which each `before[i][j]` (i answered before j was sent) holds. */
export function serialOrders(n: number, precedes: (i: number, j: number) => boolean): number[][] {
  const out: number[][] = [];
  const go = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) return void out.push(prefix);
    for (const i of rest) {
      // i may come next only if nothing still to place had to come before it.
      if (rest.some((j) => j !== i && precedes(j, i))) continue;
      go(
        [...prefix, i],
        rest.filter((j) => j !== i),
      );
    }
  };
  go(
    [],
    Array.from({ length: n }, (_, i) => i),
  );
  return out;
}

/** A canonical text of a state (keys sorted at every level), to deduplicate candidate states. */
export const stateKey = (s: unknown): string => JSON.stringify(canonical(s));
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;
