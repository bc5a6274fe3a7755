/**
 * What happens to invitation emails after the outbox hands them to SES, through the real SDK calls against a local SES
 * that behaves as SES does: its mailbox simulator addresses bounce or complain (events after an accepted send), its
 * sending rate refuses sends past it (429), and a record that always fails must not hold back the ones behind it.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ses } from '../../functions/shared/mailer.ts';
import { invite, orgWithAdmin } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

/**
 * SES's maximum sending rate here: well under the outbox's 50/s, with no burst allowance, so the outbox's parallel sends
 * meet it however fast or slow the machine is (with a second's burst, a loaded CI machine sent 24 emails without one
 * refusal and the test proved nothing).
 */
const SES_RATE = 4;

const api = useStack({
  sesEndpoint: undefined, // its own SES, with a sending rate
  sesMaxSendRate: SES_RATE,
  sesSendBurst: 1,
  outboxRetryAttempts: 6,
  localOnly: 'drives the local SES (simulator addresses, its sending rate) and the local outbox poller',
});

/** SES answers seen by the outbox's client, by error name ('ok' for a send SES took). */
const answers = new Map<string, number>();
/** Sends to this address fail as a record that can never succeed would (a poison record). */
let poisoned: string | undefined;
beforeAll(() => {
  ses.middlewareStack.add(
    (next, context) => async (args) => {
      const to = (args.input as { Destination?: { ToAddresses?: string[] } }).Destination?.ToAddresses?.[0];
      if (context.commandName === 'SendEmailCommand' && to && to === poisoned)
        throw Object.assign(new Error('Injected poison'), { name: 'PoisonedRecord', $metadata: {} });
      try {
        const out = await next(args);
        answers.set('ok', (answers.get('ok') ?? 0) + 1);
        return out;
      } catch (e) {
        const name = (e as Error).name;
        answers.set(name, (answers.get(name) ?? 0) + 1);
        throw e;
      }
    },
    // After the SDK's own retries: each answer SES gave is counted once.
    { step: 'finalizeRequest', name: 'deliveryTestAnswers', priority: 'low' },
  );
});
afterEach(() => {
  answers.clear();
  poisoned = undefined;
  api.stack.outbox.failures.length = 0;
});

const listed = async (org: { orgId: string; admin: string }) =>
  (await api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: org.admin })).body
    .invitations as { email: string; email_status: string; email_error?: string }[];
const simulator = (kind: string) =>
  `${kind}+${api.email('x').split('@')[0]!.replace(/\W/g, '-')}@simulator.amazonses.com`;

describe('SES refusing an address after it took the email', () => {
  it('bounce, complaint and suppression-list addresses end failed with the reason; a good address is sent', async () => {
    const org = await orgWithAdmin(api, 'simulator');
    const bounce = simulator('bounce');
    const complaint = simulator('complaint');
    const suppressed = simulator('suppressionlist');
    const good = api.email('good');
    expect((await invite(api, org, [bounce, complaint, suppressed, good])).status).toBe(201);
    await api.outboxIdle();
    await api.stack.sesEvents.idle();
    const byEmail = new Map((await listed(org)).map((i) => [i.email, i]));
    expect(byEmail.get(bounce)).toMatchObject({
      email_status: 'failed',
      email_error: 'Bounced (Permanent, General): smtp; 550 5.1.1 user unknown. Check the address.',
    });
    expect(byEmail.get(complaint)).toMatchObject({
      email_status: 'failed',
      email_error: expect.stringContaining('marked the invitation email as spam'),
    });
    expect(byEmail.get(suppressed)).toMatchObject({
      email_status: 'failed',
      email_error: expect.stringContaining('suppression list'),
    });
    expect(byEmail.get(good)).toMatchObject({ email_status: 'sent' });
    expect(byEmail.get(good)?.email_error).toBeUndefined();
    expect(api.stack.sesEvents.failures).toEqual([]);
  });
});

describe("SES's sending rate", () => {
  it('sends refused with TooManyRequests are retried: every email arrives once, none is marked failed', async () => {
    const org = await orgWithAdmin(api, 'throttled');
    const people = Array.from({ length: 16 }, (_, k) => api.email(`burst-${k}`));
    expect((await invite(api, org, people)).status).toBe(201);
    await api.outboxIdle();
    for (const p of people) expect(await api.mailTo(p), p).toHaveLength(1);
    expect((await listed(org)).every((i) => i.email_status === 'sent')).toBe(true);
    expect(answers.get('TooManyRequestsException') ?? 0).toBeGreaterThan(0); // SES did refuse some sends
    expect(api.stack.outbox.failures).toEqual([]);
  });
});

describe('a record that always fails', () => {
  it('goes to the on-failure destination while the records behind it, and later invites, are sent', async () => {
    const org = await orgWithAdmin(api, 'poison');
    const stuck = api.email('poison');
    poisoned = stuck;
    const behind = Array.from({ length: 5 }, (_, k) => api.email(`behind-${k}`));
    api.stack.outbox.pause(); // one batch: the poisoned record first, the others after it
    expect((await invite(api, org, [stuck, ...behind])).status).toBe(201);
    api.stack.outbox.resume();
    for (const p of behind) expect(await api.mailTo(p), p).toHaveLength(1);
    const later = api.email('later');
    expect((await invite(api, org, [later])).status).toBe(201);
    expect(await api.mailTo(later)).toHaveLength(1);
    expect(await api.mailTo(stuck)).toEqual([]);
    expect(api.stack.outbox.failures).toEqual([
      expect.objectContaining({ attempts: 7, error: 'ReportedItemFailure' }),
    ]);
    const rows = new Map((await listed(org)).map((i) => [i.email, i.email_status]));
    expect(rows.get(stuck)).toBe('queued'); // an operator replays it from the failure queue
    for (const p of [...behind, later]) expect(rows.get(p)).toBe('sent');
  });
});
