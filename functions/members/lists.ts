/**
 * The member lists' keys on stored memberships: which are missing or stale (the invariant checker reports them) and
 * the backfill that writes them (`npm run check-invariants -- --repair`) for memberships stored before the lists.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../shared/db.ts';
import { ENTITY, keys, type MemberListed, memberListKeys, setMemberListKeys } from '../shared/table.ts';

/** The list key attributes a stored membership item lacks or holds with another value than its attributes give. */
export const misplacedListKeys = (item: Record<string, unknown> & MemberListed): string[] =>
  Object.entries(memberListKeys(item))
    .filter(([name, value]) => item[name] !== value)
    .map(([name]) => name);

/**
 * Write the list keys of every membership among `items` (a scan) whose keys are missing or stale, each on the condition
 * that the membership is still at the version read (a role change meanwhile wrote them itself). Returns how many.
 */
export async function repairMemberLists(
  db: Db,
  table: string,
  items: Record<string, unknown>[],
): Promise<number> {
  let repaired = 0;
  for (const item of items) {
    if (item.entity !== ENTITY.membership) continue;
    const m = item as Record<string, unknown> & MemberListed & { version: number };
    if (misplacedListKeys(m).length === 0) continue;
    const listed = setMemberListKeys(m);
    try {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.membership(m.organization_id, m.user_id),
          UpdateExpression: `SET ${listed.clauses.join(', ')}`,
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ...listed.values, ':v': m.version },
        }),
      );
      repaired++;
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    }
  }
  return repaired;
}
