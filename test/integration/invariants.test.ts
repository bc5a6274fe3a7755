import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { repairMemberLists } from '../../functions/members/lists.ts';
import { dynamo } from '../../functions/shared/clients.ts';
import { checkInvariants, scanAll } from '../../functions/shared/invariants.ts';
import { createTable } from '../../local/bootstrap.ts';
import { localUserId } from '../../local/jwt.ts';
import { addMember, deploymentViewer, orgWithAdmin } from '../support/factories.ts';
import { plantBreaks } from '../support/plant.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({
  localOnly: 'plants broken items in its table, which must never be done to a deployed one',
});
const set = (key: Record<string, string>, expr: string, values: Record<string, unknown>) =>
  dynamo.send(
    new UpdateCommand({
      TableName: api.stack.tableName,
      Key: key,
      UpdateExpression: expr,
      ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
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

describe('the member lists', () => {
  it('a membership stored before the lists is reported, and the backfill places it', async () => {
    const org = await orgWithAdmin(api, 'lists');
    const bob = await addMember(api, org, 'lists-bob');
    const memberKey = { pk: `ORG#${org.orgId}`, sk: `MEMBER#${bob.userId}` };
    await set(memberKey, 'REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk', {});
    expect(await checkInvariants(dynamo, api.stack.tableName)).toEqual([
      expect.stringContaining(`membership of ${bob.userId} in ${org.orgId} is misplaced in the member lists`),
    ]);
    const listed = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
    expect(listed.body.members.map((m: { user_id: string }) => m.user_id)).not.toContain(bob.userId);

    expect(
      await repairMemberLists(dynamo, api.stack.tableName, await scanAll(dynamo, api.stack.tableName)),
    ).toBe(1);
    expect(await checkInvariants(dynamo, api.stack.tableName)).toEqual([]);
    const after = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
    expect(after.body.members.map((m: { user_id: string }) => m.user_id)).toContain(bob.userId);
  });
});

describe('the breaks of issue 14 are violations', () => {
  it('a membership keeps the roles of the invitation it came from until an admin changes them', async () => {
    const org = await orgWithAdmin(api, 'prov');
    const bob = await addMember(api, org, 'prov-bob', deploymentViewer(org.orgId));
    const memberKey = { pk: `ORG#${org.orgId}`, sk: `MEMBER#${bob.userId}` };
    const stored = await dynamo.send(new GetCommand({ TableName: api.stack.tableName, Key: memberKey }));
    expect(stored.Item?.joined_via).toEqual({ token: expect.any(String), version: expect.any(Number) });
    expect(await checkInvariants(dynamo, api.stack.tableName)).toEqual([]);

    // What a lost role change leaves behind: the membership has other roles than its invitation.
    const admin = { organization: [{ role_id: 'organization-admin', organization_id: org.orgId }] };
    await set(memberKey, 'SET role_assignments = :ra', { ':ra': admin });
    expect(await checkInvariants(dynamo, api.stack.tableName)).toEqual([
      expect.stringContaining(`membership of ${bob.userId} in ${org.orgId} has roles`),
    ]);
    await set(memberKey, 'SET role_assignments = :ra', { ':ra': deploymentViewer(org.orgId) });

    // A role change through the API is recorded, and from then on the roles are the admin's.
    const change = await api.call('POST', `/api/v1/users/${bob.userId}/role_assignments`, {
      as: org.admin,
      body: { organization: [{ role_id: 'billing-admin', organization_id: org.orgId }] },
    });
    expect(change.status, change.text).toBe(200);
    expect(await checkInvariants(dynamo, api.stack.tableName)).toEqual([]);
  });

  it('finds each planted break, directly and through npm run check-invariants', async () => {
    const table = `planted-${randomBytes(4).toString('hex')}`;
    await createTable(api.stack.dynamoEndpoint, table);
    const expected = await plantBreaks(dynamo, table);

    const found = await checkInvariants(dynamo, table);
    for (const fragment of expected) expect(found).toContainEqual(expect.stringContaining(fragment));
    expect(found).toHaveLength(expected.length);

    const check = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', 'local/check-invariants.ts', '--table', table, ...extra],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            AWS_ENDPOINT_URL_DYNAMODB: api.stack.dynamoEndpoint,
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'local',
            AWS_SECRET_ACCESS_KEY: 'local',
          },
        },
      );
    const run = check();
    expect(run.status, run.stderr).toBe(1);
    for (const fragment of expected) expect(run.stdout).toContain(fragment);
    expect(run.stdout).toContain(`${expected.length} violation(s)`);

    // --repair writes the member lists' keys (the one break it mends); the others stay for a person to decide.
    const repaired = check('--repair');
    expect(repaired.stdout).toContain("Wrote the member lists' keys of 1 membership(s).");
    expect(repaired.stdout).not.toContain('misplaced in the member lists');
    expect(repaired.stdout).toContain(`${expected.length - 1} violation(s)`);
  });
});
