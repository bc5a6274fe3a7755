/**
 * The invariants the service promises, checked over a whole table at rest (tests call it; operators run
 * `npm run check-invariants`). Returns every violation found, in words; an empty list means all hold. Longer than 300
 * lines on purpose: one list of every promise, read top to bottom.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db.ts';
import type {
  DomainClaimItem,
  DomainItem,
  InvitationItem,
  MembershipItem,
  MigrationItem,
  OrganizationItem,
  ResourceItem,
  RoleMappingItem,
  ScimUserItem,
  SsoIdentityItem,
  UserItem,
} from './domain.ts';
import { parseRoleAssignments } from './role-assignments.ts';
import { isIdempotencyRecord, misplacedListKeys } from './table.ts';

type Item = Record<string, unknown> & { pk: string; sk: string; entity?: string };

/** The state the workflow waits in for the migrating user to accept (the name operators see). */
const WAIT_STEP = 'Wait for invitation acceptance';

/** Role assignments in one comparable form (key order and list order do not matter). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Printable ASCII without spaces, lower case, at most 254 characters with a local part of at most 64 (RFC 5321). */
export function storableEmail(email: string): boolean {
  const at = email.lastIndexOf('@');
  return (
    /^[\x21-\x7e]+$/.test(email) &&
    email === email.toLowerCase() &&
    email.length <= 254 &&
    at > 0 &&
    at <= 64 &&
    at < email.length - 1
  );
}

/** Every item of a table, strongly consistent (operators and tests only: no request path scans). */
export async function scanAll(db: Db, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export interface InvariantOptions {
  /** Whether a running migration still has a live execution (Step Functions DescribeExecution). */
  executionIsRunning?: (migrationId: string) => Promise<boolean>;
}

export async function checkInvariants(db: Db, table: string, opts: InvariantOptions = {}): Promise<string[]> {
  const items = await scanAll(db, table);
  const of = <T>(entity: string) => items.filter((i) => i.entity === entity) as unknown as T[];
  const orgs = new Map(of<OrganizationItem>('Organization').map((o) => [o.id, o]));
  const users = new Map(of<UserItem>('User').map((u) => [u.user_id, u]));
  const memberships = of<MembershipItem>('Membership');
  const resources = [...of<ResourceItem>('Deployment'), ...of<ResourceItem>('Project')];
  const invitations = of<InvitationItem>('Invitation');
  const invitationAt = new Map(invitations.map((i) => [`${i.organization_id}|${i.email}`, i]));
  const migrations = of<MigrationItem>('Migration');
  const violations: string[] = [];

  // Every user is in at most one organization, and their lock points at that membership.
  const byUser = new Map<string, MembershipItem[]>();
  for (const m of memberships) byUser.set(m.user_id, [...(byUser.get(m.user_id) ?? []), m]);
  for (const [userId, ms] of byUser) {
    if (ms.length > 1) violations.push(`user ${userId} is a member of ${ms.length} organizations`);
    const lock = users.get(userId)?.organization_id;
    if (lock !== ms[0]?.organization_id)
      violations.push(
        `user ${userId}'s lock points at ${lock ?? 'nothing'}, membership is in ${ms[0]?.organization_id}`,
      );
  }
  for (const [userId, u] of users) {
    if (u.organization_id && !byUser.has(userId))
      violations.push(`user ${userId} is locked to ${u.organization_id} without a membership`);
  }

  // Every open organization keeps an admin, and its counters equal what they count.
  for (const [id, org] of orgs) {
    const ms = memberships.filter((m) => m.organization_id === id);
    const admins = ms.filter((m) => m.is_admin).length;
    if (org.status === 'open' && ms.length > 0 && admins === 0)
      violations.push(`organization ${id} is open with no organization-admin`);
    if (org.status === 'closed' && ms.length > 0)
      violations.push(`organization ${id} is closed but has ${ms.length} member(s)`);
    const rs = resources.filter((r) => r.organization_id === id).length;
    const bills = items.filter(
      (i) => i.entity === 'Bill' && i.organization_id === id && i.status === 'pending',
    ).length;
    const counts: [string, number, number][] = [
      ['member_count', org.member_count, ms.length],
      ['admin_count', org.admin_count, admins],
      ['active_resource_count', org.active_resource_count, rs],
      ['pending_bill_count', org.pending_bill_count, bills],
    ];
    for (const [name, stored, actual] of counts) {
      if (stored !== actual) violations.push(`organization ${id}: ${name} is ${stored}, actually ${actual}`);
    }
  }

  // A domain belongs to at most one organization, an open one: every verified claim has the domain's item pointing at
  // its organization and every domain item has that verified claim; every organization counts its claims.
  const claims = of<DomainClaimItem>('DomainClaim');
  const owners = new Map(of<DomainItem>('Domain').map((d) => [d.domain, d]));
  const verified = new Set(
    claims.filter((c) => c.status === 'verified').map((c) => `${c.organization_id}|${c.domain}`),
  );
  for (const c of claims) {
    if (c.status !== 'verified') continue;
    const owner = owners.get(c.domain)?.organization_id;
    if (owner !== c.organization_id)
      violations.push(
        `organization ${c.organization_id}'s verified claim on ${c.domain} has the domain owned by ${owner ?? 'nobody'}`,
      );
  }
  for (const [domain, d] of owners) {
    if (!verified.has(`${d.organization_id}|${domain}`))
      violations.push(`domain ${domain} is owned by ${d.organization_id} without its verified claim`);
    if (orgs.get(d.organization_id)?.status !== 'open')
      violations.push(`domain ${domain} is owned by ${d.organization_id}, which is not an open organization`);
  }
  for (const [id, org] of orgs) {
    const held = claims.filter((c) => c.organization_id === id).length;
    if ((org.domain_claim_count ?? 0) !== held)
      violations.push(
        `organization ${id}: domain_claim_count is ${org.domain_claim_count ?? 0}, actually ${held}`,
      );
  }

  // An identity provider signs people in by verified domains: an open organization with one holds at least one (the
  // IdP's write holds a verified claim, and no claim can be deleted while it is set). Every role mapping belongs to an
  // organization and has the stored shape `role-mappings/rules.ts` writes (restated here, as an independent check).
  for (const [id, org] of orgs) {
    if (
      org.status === 'open' &&
      org.idp &&
      !claims.some((c) => c.organization_id === id && c.status === 'verified')
    )
      violations.push(`organization ${id} has an identity provider but no verified domain`);
  }
  for (const m of of<RoleMappingItem>('RoleMapping')) {
    const where = `role mapping ${JSON.stringify(m.name)} of ${m.organization_id}`;
    if (!orgs.has(m.organization_id)) violations.push(`${where} belongs to no organization`);
    const problem = roleMappingShapeProblem(m);
    if (problem) violations.push(`${where} is malformed: ${problem}`);
  }

  // SSO: an identity belongs to an organization, and a member who joined through SSO has the identity they joined
  // with (the join wrote both in one transaction). What a sign-in leaves in flight (requests, codes, assertion ids)
  // always expires: it carries a TTL.
  const identities = of<SsoIdentityItem>('SsoIdentity');
  for (const i of identities) {
    if (!orgs.has(i.organization_id))
      violations.push(`SSO identity ${i.subject} belongs to no organization (${i.organization_id})`);
  }
  for (const m of memberships) {
    if (m.joined_through !== 'sso') continue;
    if (!identities.some((i) => i.organization_id === m.organization_id && i.user_id === m.user_id))
      violations.push(
        `membership of ${m.user_id} in ${m.organization_id} joined through SSO but has no SSO identity`,
      );
  }
  // SCIM: a member provisioned through SCIM has an active SCIM user linked to them (the join wrote both). An active
  // SCIM user need not be a member: an admin may remove them through the API (the IdP learns it at its next push).
  const scimUsers = of<ScimUserItem>('ScimUser');
  for (const m of memberships) {
    if (m.joined_through !== 'scim') continue;
    if (
      !scimUsers.some((u) => u.organization_id === m.organization_id && u.user_id === m.user_id && u.active)
    )
      violations.push(
        `membership of ${m.user_id} in ${m.organization_id} joined through SCIM but has no active SCIM user`,
      );
  }
  for (const i of items) {
    if (['SsoRequest', 'SsoCode', 'SamlAssertion'].includes(i.entity ?? '') && typeof i.ttl !== 'number')
      violations.push(`${i.entity} ${i.pk} ${i.sk} has no TTL: it would never expire`);
  }

  // An Idempotency-Key's record (Powertools', no `entity`) expires 24 hours after its request: it carries a TTL.
  for (const i of items) {
    if (isIdempotencyRecord(i) && typeof i.ttl !== 'number')
      violations.push(`idempotency record ${i.pk} has no TTL: it would never expire`);
  }

  // No invitation is both consumed and pending; one reserved for a migrating user is consumed only by that user.
  for (const inv of invitations) {
    if (inv.status === 'accepted' && inv.reserved_for && inv.accepted_by !== inv.reserved_for)
      violations.push(
        `invitation for ${inv.email} in ${inv.organization_id} is reserved for ${inv.reserved_for} but was accepted by ${inv.accepted_by}`,
      );
    if (inv.status === 'pending' && inv.accepted_at)
      violations.push(`invitation for ${inv.email} in ${inv.organization_id} is pending but has accepted_at`);
    if (inv.status === 'accepted' && (!inv.accepted_at || inv.task_token))
      violations.push(`invitation for ${inv.email} in ${inv.organization_id} is accepted but incomplete`);
  }

  // A membership's roles are those of the invitation it came from, until an admin changes them (a lost update
  // otherwise: a re-invite with other roles committed, the accept applied the roles it had read).
  for (const m of memberships) {
    if (!m.joined_via || m.roles_changed_at) continue;
    const inv = invitationAt.get(`${m.organization_id}|${m.email}`);
    if (inv?.token !== m.joined_via.token || inv.status !== 'accepted') continue; // superseded since
    if (canonical(inv.role_assignments) !== canonical(m.role_assignments))
      violations.push(
        `membership of ${m.user_id} in ${m.organization_id} has roles ${canonical(m.role_assignments)}, but the invitation it came from has ${canonical(inv.role_assignments)}`,
      );
  }

  // Every membership sits in the member lists where its rank, name and address place it (`table.ts` memberListKeys):
  // else it is missing from a page, or listed out of order (a promotion not moving the owner to the top).
  for (const m of memberships) {
    const wrong = misplacedListKeys(m as unknown as Item & MembershipItem);
    if (wrong.length > 0)
      violations.push(
        `membership of ${m.user_id} in ${m.organization_id} is misplaced in the member lists (${wrong.join(', ')} missing or stale; npm run check-invariants -- --repair writes them)`,
      );
  }

  for (const m of migrations) {
    const inv = invitationAt.get(`${m.target_organization_id}|${m.email}`);
    // The migration's invitation is bound to the migrating user: nobody else's accept may consume it.
    const acceptedAt = inv?.status === 'accepted' ? inv.accepted_at : undefined;
    const acceptedDuring =
      acceptedAt !== undefined &&
      acceptedAt >= m.created_at &&
      (m.status === 'running' || acceptedAt <= (m.finished_at ?? m.updated_at));
    if (inv && acceptedDuring && inv.accepted_by !== m.user_id)
      violations.push(
        `migration ${m.id}'s invitation to ${m.target_organization_id} was accepted by ${inv.accepted_by}, not by the migrating user ${m.user_id}`,
      );
    // Nothing can resume a wait on an accepted invitation, or on one that holds no task token: it would stall. Only
    // once the wait's task has returned ('waiting' in the history): before that it is still storing its token, and a
    // failed attempt is retried or caught by the workflow.
    const waitEntry = m.history?.filter((h) => h.step === WAIT_STEP).at(-1);
    if (m.status === 'running' && m.current_step === WAIT_STEP && waitEntry?.status === 'waiting') {
      if (inv?.status === 'accepted')
        violations.push(
          `migration ${m.id} is running at "${WAIT_STEP}" but its invitation is already accepted`,
        );
      else if (inv?.status === 'pending' && !inv.task_token)
        violations.push(
          `migration ${m.id} is running at "${WAIT_STEP}" but its invitation holds no task token to resume it`,
        );
    }
    // A succeeded migration put its user in the target: by their own accept of its invitation.
    if (m.status === 'succeeded') {
      const joined = users.get(m.user_id)?.organization_id === m.target_organization_id;
      const acceptedByUser = inv?.status === 'accepted' && inv.accepted_by === m.user_id;
      const superseded = inv !== undefined && inv.created_at > (m.finished_at ?? m.updated_at);
      if (!joined && !acceptedByUser && !superseded)
        violations.push(
          `migration ${m.id} succeeded but its user ${m.user_id} is not a member of its target ${m.target_organization_id}`,
        );
    }
  }

  // No address is stored in a form the service refuses at its edge (non-ASCII, padded, upper case, over RFC 5321).
  for (const i of items) {
    const email = i.email;
    if (typeof email === 'string' && !storableEmail(email))
      violations.push(`${i.entity ?? 'item'} ${i.pk} ${i.sk} stores the address ${JSON.stringify(email)}`);
  }

  // No deployment exists in two places: a restored copy and its source never live at once.
  const ids = new Set(resources.map((r) => `${r.kind}:${r.id}`));
  for (const r of resources) {
    const src = r.restored_from?.source_id;
    if (src && src !== r.id && ids.has(`${r.kind}:${src}`))
      violations.push(`${r.kind} ${src} exists both in its source and as ${r.id}`);
  }

  // Every migration is finished or has a live execution.
  for (const m of migrations) {
    if (m.status === 'running' && opts.executionIsRunning && !(await opts.executionIsRunning(m.id))) {
      violations.push(`migration ${m.id} is marked running but its execution is not`);
    }
  }
  return violations;
}

/** What is wrong with a stored role mapping's shape: one of `any`/`all`, non-empty, rules of one `group` or `email`. */
function roleMappingShapeProblem(m: RoleMappingItem): string | undefined {
  if (typeof m.enabled !== 'boolean') return 'enabled is not a boolean';
  const rule = m.rule as Record<string, unknown>;
  const kinds = Object.keys(rule ?? {}).sort();
  if (kinds.length !== 1 || (kinds[0] !== 'any' && kinds[0] !== 'all'))
    return `its rule has ${kinds.join(' and ') || 'nothing'}, not one of "any" and "all"`;
  const list = rule[kinds[0]];
  if (!Array.isArray(list) || list.length === 0) return `its rule's "${kinds[0]}" is not a non-empty list`;
  for (const r of list as Record<string, unknown>[]) {
    const fields = Object.keys(r ?? {});
    const value = r?.[fields[0] ?? ''];
    if (
      fields.length !== 1 ||
      !['group', 'email'].includes(fields[0]!) ||
      typeof value !== 'string' ||
      !value
    )
      return `a rule ${JSON.stringify(r)} is not one non-empty "group" or "email"`;
  }
  try {
    parseRoleAssignments(m.role_assignments, m.organization_id);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}
