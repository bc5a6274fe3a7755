import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';
import { checkInvariants } from '../../functions/shared/invariants.ts';
import { localUserId } from '../../local/jwt.ts';
import { addMember, orgWithAdmin } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();
const set = (key: Record<string, string>, expr: string, values: Record<string, unknown>) =>
  dynamo.send(
    new UpdateCommand({
      TableName: api.stack.tableName,
      Key: key,
      UpdateExpression: expr,
      ExpressionAttributeValues: values,
    }),
  );

describe('the invariant checker', () => {
  it('finds nothing in a table the service wrote, and names each kind of damage', async () => {
    const org = await orgWithAdmin(api, 'inv');
    const bob = await addMember(api, org, 'inv-bob');
    expect(await checkInvariants(dynamo, api.stack.tableName)).toEqual([]);

    const orgKey = { pk: `ORG#${org.orgId}`, sk: 'ORG' };
    await set({ pk: `USER#${bob.userId}`, sk: 'USER' }, 'SET organization_id = :o', { ':o': 'elsewhere' });
    await set(orgKey, 'SET member_count = :n', { ':n': 7 });
    await set({ pk: `ORG#${org.orgId}`, sk: `MEMBER#${localUserId(org.admin)}` }, 'SET is_admin = :f', {
      ':f': false,
    });
    const found = await checkInvariants(dynamo, api.stack.tableName);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`user ${bob.userId}'s lock points at elsewhere`),
        expect.stringContaining('member_count is 7, actually 2'),
        expect.stringContaining('is open with no organization-admin'),
      ]),
    );

    // Repair, so this file's own after-check sees a healthy table again.
    await set({ pk: `USER#${bob.userId}`, sk: 'USER' }, 'SET organization_id = :o', { ':o': org.orgId });
    await set(orgKey, 'SET member_count = :n', { ':n': 2 });
    await set({ pk: `ORG#${org.orgId}`, sk: `MEMBER#${localUserId(org.admin)}` }, 'SET is_admin = :t', {
      ':t': true,
    });
    expect(await checkInvariants(dynamo, api.stack.tableName)).toEqual([]);
  });
});
