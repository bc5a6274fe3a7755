/**
 * A large organization's member list: 10,000 members (300 with --smoke) written directly with BatchWrite, each the
 * items accepting an invitation writes (`joinItems`, so the list keys are the real ones), then the first and a middle
 * page of each order and searches by name prefix, narrow and wide (the wide one's `total` counts its matches).
 */
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { joinItems } from '../functions/organizations/membership.ts';
import { dynamo } from '../functions/shared/clients.ts';
import { defaultDeps } from '../functions/shared/deps.ts';
import { ENTITY, keys } from '../functions/shared/table.ts';
import { localUserId } from '../local/jwt.ts';
import { type Bench, measure } from './context.ts';

const FIRST = ['María', 'Mateo', 'Mads', 'Anna', 'Ali', 'Chen', 'Olga', 'Noah', 'Émile', 'Zoé'];
const LAST = [
  'García',
  'Müller',
  'Smith',
  'Nakamura',
  'Okafor',
  'Rossi',
  'Dubois',
  'Kowalski',
  'Singh',
  'Berg',
];
/** Member k's name: ten first names by ten last names, numbered, so a search matches a known share. */
const nameOf = (k: number) => `${FIRST[k % 10]} ${LAST[Math.floor(k / 10) % 10]} ${k}`;

/** Writes `count` members into `orgId` (and its member counter), 25 items a batch, 8 batches at once. */
async function seed(b: Bench, orgId: string, count: number): Promise<void> {
  const deps = defaultDeps();
  const now = new Date().toISOString();
  const puts: Record<string, unknown>[] = [];
  for (let k = 0; k < count; k++) {
    const email = `member-${k}-${b.run}@example.com`;
    const userId = localUserId(email);
    const caller = { userId, email, emailVerified: true, name: nameOf(k) };
    const { membership, memberEmail: marker } = joinItems(deps, caller, orgId, {}, now);
    const user = { entity: ENTITY.user, user_id: userId, email, created_at: now, organization_id: orgId };
    puts.push({ ...keys.user(userId), ...user }, membership.Put.Item, marker.Put.Item);
  }
  const writes: Promise<unknown>[] = [];
  for (let k = 0; k < puts.length; k += 25) {
    const batch = puts.slice(k, k + 25).map((Item) => ({ PutRequest: { Item } }));
    writes.push(
      (async () => {
        let items: any = { [b.stack.tableName]: batch };
        while (items && Object.keys(items).length) {
          items = (await dynamo.send(new BatchWriteCommand({ RequestItems: items }))).UnprocessedItems;
        }
      })(),
    );
    if (writes.length >= 8) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  // The counter the transactions keep, as if each had joined through them: the list's total.
  await dynamo.send(
    new UpdateCommand({
      TableName: b.stack.tableName,
      Key: keys.organization(orgId),
      UpdateExpression: 'ADD member_count :n',
      ExpressionAttributeValues: { ':n': count },
    }),
  );
}

export async function benchMemberLists(b: Bench): Promise<void> {
  const { call, run, n: N } = b;
  const owner = `big-${run}@example.com`;
  const org = (await call('POST', '/api/v1/organizations', owner, { name: 'Big' })).body.id as string;
  const BIG = b.smoke ? 300 : 10_000;
  const seeded = performance.now();
  await seed(b, org, BIG - 1);
  const seedSeconds = (performance.now() - seeded) / 1000;
  const list = (query: string) => () => call('GET', `/api/v1/organizations/${org}/members?${query}`, owner);
  const totalOf = async (query: string) => (await list(query)()).body.total as number;
  /** The query of the page halfway through a list of 100 a page (the first when there is one page). */
  const middleOf = async (query: string) => {
    let next: string | undefined;
    const pages = Math.floor((await totalOf(query)) / 100 / 2);
    for (let page = 0; page < pages; page++)
      next = (await list(`${query}${next ? `&next=${encodeURIComponent(next)}` : ''}`)()).body.next;
    return next ? `${query}&next=${encodeURIComponent(next)}` : query;
  };
  await measure(b, `list members of ${BIG} (first page)`, N, async () => list(''));
  const middle = await middleOf('size=100');
  await measure(b, `list members of ${BIG} (middle page)`, N, async () => list(middle));
  await measure(b, `list members of ${BIG} by email (first page)`, N, async () => list('sort=email'));
  // "ma": María and Mateo and Mads, 3 in 10 (a short prefix: the total counts thousands). "maría garcía 1": a few.
  const wide = 'q=ma&size=100';
  const narrow = `q=${encodeURIComponent('maria garcia 1')}&size=100`;
  const [wideTotal, narrowTotal] = [await totalOf(wide), await totalOf(narrow)];
  await measure(b, `search members of ${BIG} ("ma", ${wideTotal} matching)`, N, async () => list(wide));
  await measure(b, `search members of ${BIG} ("maria garcia 1", ${narrowTotal} matching)`, N, async () =>
    list(narrow),
  );
  const wideMiddle = await middleOf(wide);
  await measure(b, `search members of ${BIG} ("ma", a later page)`, N, async () => list(wideMiddle));
  console.log(
    `\n${BIG} members seeded in ${seedSeconds.toFixed(1)} s (BatchWrite of the join's own items). A page is one Query of a member list; a search's first and later pages add a COUNT query over its matches (its read units grow with them).`,
  );
}
