/**
 * The invariants the service promises, checked over a whole table (tests call it; operators run
 * `npm run check-invariants`). Returns every violation found, in words; an empty list means all hold.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db.ts';
import type {
  InvitationItem,
  MembershipItem,
  MigrationItem,
  OrganizationItem,
  ResourceItem,
  UserItem,
} from './domain.ts';

type Item = Record<string, unknown> & { pk: string; sk: string; entity?: string };

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

  // No invitation is both consumed and pending.
  for (const inv of of<InvitationItem>('Invitation')) {
    if (inv.status === 'pending' && inv.accepted_at)
      violations.push(`invitation for ${inv.email} in ${inv.organization_id} is pending but has accepted_at`);
    if (inv.status === 'accepted' && (!inv.accepted_at || inv.task_token))
      violations.push(`invitation for ${inv.email} in ${inv.organization_id} is accepted but incomplete`);
  }

  // No deployment exists in two places: a restored copy and its source never live at once.
  const ids = new Set(resources.map((r) => `${r.kind}:${r.id}`));
  for (const r of resources) {
    const src = r.restored_from?.source_id;
    if (src && src !== r.id && ids.has(`${r.kind}:${src}`))
      violations.push(`${r.kind} ${src} exists both in its source and as ${r.id}`);
  }

  // Every migration is finished or has a live execution.
  for (const m of of<MigrationItem>('Migration')) {
    if (m.status === 'running' && opts.executionIsRunning && !(await opts.executionIsRunning(m.id))) {
      violations.push(`migration ${m.id} is marked running but its execution is not`);
    }
  }
  return violations;
}
