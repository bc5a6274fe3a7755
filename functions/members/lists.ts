/**
 * The backfill of the member lists' keys on stored memberships (the invariant checker reports those missing or stale,
 * `misplacedListKeys`): it writes them (`npm run check-invariants -- --repair`) for memberships stored before the lists.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../shared/db.ts';
import { ENTITY, keys, type MemberListed, misplacedListKeys, setMemberListKeys } from '../shared/table.ts';

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
