/**
 * 1b. No enumeration: answers that must look alike, side by side. Each group must make the same DynamoDB calls; the
 * times show what a caller could measure (the noise between runs is larger than any difference).
 */
import { newToken } from '../functions/shared/deps.ts';
import { type Bench, dynamoOnly, ms, pct, type Reply } from './context.ts';
import type { Fleet } from './operations.ts';
import { record } from './record.ts';

export async function benchAlike(b: Bench, fleet: Fleet): Promise<void> {
  console.log(
    `\n| must look alike (n=${b.n}) | status | DynamoDB round trips | handler p50 | handler p99 |\n|---|---|---|---|---|`,
  );
  async function alike(label: string, n: number, prepare: (i: number) => Promise<() => Promise<Reply>>) {
    const times: number[] = [];
    const trips = new Set<string>();
    let status = 0;
    for (let i = 0; i < n; i++) {
      const act = await prepare(i);
      const { result, calls } = await record(act);
      trips.add(
        dynamoOnly(calls)
          .map((c) => c.command.constructor.name)
          .join(','),
      );
      times.push(result.handlerMs);
      status = result.status;
    }
    const shapes = [...trips];
    console.log(
      `| ${label} | ${status} | ${shapes.length === 1 ? shapes[0]!.split(',').filter(Boolean).length : `varies: ${shapes.join(' / ')}`} | ${ms(pct(times, 50))} | ${ms(pct(times, 99))} |`,
    );
  }
  const lookup = (token: string, status: number) => () =>
    b.call(
      'GET',
      `/api/v1/organizations/invitations/${token}`,
      `looker-${b.run}@example.com`,
      undefined,
      status,
    );
  const looked = async (i: number, fate: 'pending' | 'revoked') => {
    const who = `lookup-${fate}-${i}-${b.run}@example.com`;
    await b.call('POST', `/api/v1/organizations/${fleet.orgOf[i]}/invitations`, fleet.admin(i), {
      emails: [who],
    });
    const token = await fleet.tokenFor(i, who);
    if (fate === 'revoked')
      await b.call('DELETE', `/api/v1/organizations/${fleet.orgOf[i]}/invitations/${token}`, fleet.admin(i));
    return token;
  };
  await alike('look up a pending invitation', b.n, async (i) => lookup(await looked(i, 'pending'), 200));
  await alike('look up an unknown token', b.n, async () => lookup(newToken(), 404));
  await alike('look up a revoked token', b.n, async (i) => lookup(await looked(i, 'revoked'), 404));
  const inviter = `inviter-${b.run}@example.com`;
  const inviterOrg = (await b.call('POST', '/api/v1/organizations', inviter, { name: 'Inviter' })).body
    .id as string;
  const inviteOne = (email: string) => () =>
    b.call('POST', `/api/v1/organizations/${inviterOrg}/invitations`, inviter, { emails: [email] });
  await alike('invite an address nobody uses', b.n, async (i) =>
    inviteOne(`nobody-${i}-${b.run}@example.com`),
  );
  await alike('invite a user without an organization', b.n, async (i) => {
    const email = `loner-${i}-${b.run}@example.com`;
    await b.call('GET', '/api/v1/organizations', email); // seen once: the user exists
    return inviteOne(email);
  });
  await alike('invite a user who belongs elsewhere', b.n, async (i) => {
    const email = `taken-${i}-${b.run}@example.com`;
    await b.call('POST', '/api/v1/organizations', email, { name: 'Elsewhere' });
    return inviteOne(email);
  });
}
