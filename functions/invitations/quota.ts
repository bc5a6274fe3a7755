/**
 * The invitation rate quota: at most `inviteRateLimitPerHour` addresses per organization per clock hour, counted by a
 * conditional ADD on one item per hour, so concurrent invites cannot exceed it together.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../shared/deps.ts';
import { ApiError } from '../shared/errors.ts';
import { ENTITY, keys, TABLE, ttlAt } from '../shared/table.ts';

/** Takes `count` addresses from this hour's quota (429 with `retry-after` when it has not that many left); returns the refund. */
export async function takeRateQuota(deps: Deps, orgId: string, count: number): Promise<() => Promise<void>> {
  const now = deps.now();
  const hour = now.toISOString().slice(0, 13);
  const limit = deps.inviteRateLimitPerHour;
  const retryAfter = String(3600 - Math.floor((now.getTime() % 3600_000) / 1000));
  const exceeded = () =>
    new ApiError(
      'organization.invitations_rate_limit_exceeded',
      `This organization can invite at most ${limit} addresses an hour. Try again later.`,
      undefined,
      { 'retry-after': retryAfter },
    );
  if (count > limit) throw exceeded();
  const key = keys.inviteRate(orgId, hour);
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: key,
        UpdateExpression: 'ADD #count :n SET entity = :entity, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#count) OR #count <= :max',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': TABLE.ttlAttribute },
        ExpressionAttributeValues: {
          ':n': count,
          ':max': limit - count,
          ':entity': ENTITY.inviteRate,
          ':ttl': ttlAt(new Date(now.getTime() + 2 * 3600_000)),
        },
      }),
    );
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') throw exceeded();
    throw e;
  }
  // Give the quota back when nothing was written.
  return async () => {
    await deps.db
      .send(
        new UpdateCommand({
          TableName: deps.table,
          Key: key,
          UpdateExpression: 'ADD #count :neg',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':neg': -count },
        }),
      )
      .catch(() => undefined);
  };
}
