/**
 * The outbox end to end: requests commit and answer, the local stream poller feeds the same handler Lambda runs, and
 * the side effects follow (emails with their status, the migration resumed or failed). Failures are injected where
 * they happen in AWS: SES and Step Functions calls fail in the real clients' middleware, and whole invocations of the
 * handler fail in the poller (a crashed Lambda).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getInvitationByEmail } from '../../functions/invitations/store.ts';
import { defaultDeps } from '../../functions/shared/deps.ts';
import { ses } from '../../functions/shared/mailer.ts';
import { sfn } from '../../functions/shared/workflow.ts';
import { readMailbox } from '../../local/ses.ts';
import { invite, orgWithAdmin, tokenFromMail } from '../support/factories.ts';
import {
  acceptFromMail,
  assertNothingLost,
  finished,
  scene,
  start,
  waitFor,
  waitingForAcceptance,
} from '../support/migration.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({
  outboxRetryAttempts: 6,
  localOnly:
    'drives the local outbox poller (retries, the on-failure destination), which a stage runs inside Lambda',
});

/** Per command name: how many of the next calls fail, and with what. */
const failing = new Map<string, { times: number; name: string; to?: string }>();
beforeAll(() => {
  for (const client of [ses, sfn]) {
    (client.middlewareStack as typeof ses.middlewareStack).add(
      (next, context) => async (args) => {
        const rule = failing.get(String(context.commandName));
        const to = (args.input as { Destination?: { ToAddresses?: string[] } }).Destination?.ToAddresses?.[0];
        if (rule && rule.times > 0 && (!rule.to || rule.to === to)) {
          rule.times--;
          throw Object.assign(new Error(`Injected ${rule.name}`), {
            name: rule.name,
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'outboxTestFaults' },
    );
  }
});
afterEach(() => {
  failing.clear();
  api.stack.outbox.resume();
});

const listed = async (org: { orgId: string; admin: string }) =>
  (await api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: org.admin })).body
    .invitations as { email: string; email_status: string; email_error?: string }[];
const rawMailTo = async (address: string) =>
  (await readMailbox(api.stack.sesEndpoint)).filter((m) => m.destination.to.includes(address));

describe('invitation emails', () => {
  it('the invite answers once committed with the emails queued; the outbox sends each once and records sent', async () => {
    const org = await orgWithAdmin(api, 'queued');
    const people = [api.email('q-one'), api.email('q-two'), api.email('q-three')];
    api.stack.outbox.pause();
    const res = await invite(api, org, people);
    expect(res.status).toBe(201);
    expect((await listed(org)).map((i) => i.email_status)).toEqual(['queued', 'queued', 'queued']);
    for (const p of people) expect(await rawMailTo(p)).toEqual([]);

    api.stack.outbox.resume();
    for (const p of people) expect(await api.mailTo(p)).toHaveLength(1);
    expect((await listed(org)).map((i) => i.email_status)).toEqual(['sent', 'sent', 'sent']);
    expect(api.stack.outbox.failures).toEqual([]);
  });

  it('SES refusing an address (MessageRejected) records failed with the reason; the request still answered 201', async () => {
    const org = await orgWithAdmin(api, 'rejected');
    const [bad, good] = [api.email('bounce'), api.email('fine')];
    failing.set('SendEmailCommand', { times: 1, name: 'MessageRejected', to: bad });
    const res = await invite(api, org, [bad, good]);
    expect(res.status).toBe(201);
    expect(await api.mailTo(bad)).toEqual([]);
    expect(await api.mailTo(good)).toHaveLength(1);
    const rows = await listed(org);
    expect(rows.find((i) => i.email === bad)).toMatchObject({
      email_status: 'failed',
      email_error: expect.stringContaining('MessageRejected'),
    });
    expect(rows.find((i) => i.email === good)).toMatchObject({ email_status: 'sent' });
    expect(rows.find((i) => i.email === good)?.email_error).toBeUndefined();

    // Inviting the address again queues a new email, which goes out once SES takes it.
    expect((await invite(api, org, [bad])).status).toBe(201);
    expect(await api.mailTo(bad)).toHaveLength(1);
    expect((await listed(org)).find((i) => i.email === bad)).toMatchObject({ email_status: 'sent' });
  });

  it('SES throttling is retried and the email is delivered once', async () => {
    const org = await orgWithAdmin(api, 'throttled');
    const who = api.email('patient');
    failing.set('SendEmailCommand', { times: 3, name: 'TooManyRequestsException', to: who });
    expect((await invite(api, org, [who])).status).toBe(201);
    expect(await api.mailTo(who)).toHaveLength(1);
    expect(failing.get('SendEmailCommand')?.times).toBe(0);
    expect((await listed(org))[0]?.email_status).toBe('sent');
    expect(api.stack.outbox.failures).toEqual([]);
  });

  it('invocations that crash before the handler runs lose nothing', async () => {
    const org = await orgWithAdmin(api, 'crash-before');
    const who = api.email('survivor');
    const before = api.stack.outbox.invocations;
    api.stack.outbox.failInvocations({ times: 3 });
    expect((await invite(api, org, [who])).status).toBe(201);
    expect(await api.mailTo(who)).toHaveLength(1);
    expect(api.stack.outbox.invocations - before).toBeGreaterThanOrEqual(4);
    expect((await listed(org))[0]?.email_status).toBe('sent');
  });

  it('an invocation that crashes after sending is retried without a second email (deduplicated by version)', async () => {
    const org = await orgWithAdmin(api, 'crash-after');
    const who = api.email('once');
    api.stack.outbox.failInvocations({ times: 1, after: true });
    expect((await invite(api, org, [who])).status).toBe(201);
    expect(await api.mailTo(who)).toHaveLength(1);
    expect((await listed(org))[0]?.email_status).toBe('sent');
  });

  it('a refresh before the first email went out sends one email, with what the refresh says', async () => {
    const org = await orgWithAdmin(api, 'superseded');
    const who = api.email('refreshed');
    api.stack.outbox.pause();
    await invite(api, org, [who]);
    const billing = { organization: [{ role_id: 'billing-admin', organization_id: org.orgId }] };
    await invite(api, org, [who], { role_assignments: billing });
    api.stack.outbox.resume();
    const mails = await api.mailTo(who);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.body.text).toContain('Billing admin');
  });

  it('a batch that keeps failing goes to the on-failure destination', async () => {
    const org = await orgWithAdmin(api, 'dead-letter');
    const who = api.email('unlucky');
    failing.set('SendEmailCommand', { times: 100, name: 'ServiceUnavailable', to: who });
    expect((await invite(api, org, [who])).status).toBe(201);
    await api.outboxIdle();
    expect(await api.mailTo(who)).toEqual([]);
    expect(api.stack.outbox.failures).toEqual([
      expect.objectContaining({ records: expect.any(Number), attempts: 7, error: 'ReportedItemFailure' }),
    ]);
    expect((await listed(org))[0]?.email_status).toBe('queued');
    api.stack.outbox.failures.length = 0;
  });
});

describe('the migration, resumed and ended by the outbox', () => {
  it('resumes when the accept commits, even though the first SendTaskSuccess fails', async () => {
    const s = await scene(api, 'resume', 1);
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    // Let the wait store its token first, so that the accept's stream record is what resumes it.
    for (let i = 0; !(await getInvitationByEmail(defaultDeps(), s.target.orgId, s.user))?.task_token; i++) {
      expect(i).toBeLessThan(200);
      await new Promise((r) => setTimeout(r, 25));
    }
    failing.set('SendTaskSuccessCommand', { times: 1, name: 'ServiceUnavailable' });
    await acceptFromMail(api, s.user);
    const m = await waitFor(api, s.user, id, finished);
    expect(m.status, JSON.stringify(m)).toBe('succeeded');
    expect(failing.get('SendTaskSuccessCommand')?.times).toBe(0); // the failure did happen
    await assertNothingLost(api, s, m);
    expect(m.task_token).toBeUndefined(); // never shown
  });

  it('revoking the invitation during the wait ends the migration with InvitationExpired', async () => {
    const s = await scene(api, 'revoked', 0);
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    const token = await tokenFromMail(api, s.user);
    // The wait may not have stored its token yet when the revoke lands; either way the run ends.
    const res = await api.call('DELETE', `/api/v1/organizations/${s.target.orgId}/invitations/${token}`, {
      as: s.target.admin,
    });
    expect(res.status, res.text).toBe(200);
    const m = await waitFor(api, s.user, id, finished);
    expect(m.error).toBe('InvitationExpired');
  });

  it('a user who joins another organization during the wait ends the migration, and the cause says so', async () => {
    const s = await scene(api, 'elsewhere', 1);
    const other = await orgWithAdmin(api, 'elsewhere-other');
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    await invite(api, other, [s.user]);
    const mails = await api.mailTo(s.user);
    const link = mails
      .map((m) => m.body.text ?? '')
      .filter((t) => t.includes(other.name))
      .at(-1)
      ?.match(/\/invitations\/([A-Za-z0-9_-]+)/)?.[1];
    expect(link).toBeDefined();
    const joined = await api.call('POST', `/api/v1/organizations/invitations/${link}/_accept`, {
      as: s.user,
    });
    expect(joined.status, joined.text).toBe(200);

    const m = await waitFor(api, s.user, id, finished);
    expect(m.error).toBe('JoinedAnotherOrganization');
    expect(m.cause).toContain(`You joined another organization (${other.orgId})`);
    expect(m.cause).toContain('snapshot(s) are intact');
    const orgs = (await api.call('GET', '/api/v1/organizations', { as: s.user })).body.organizations;
    expect(orgs.map((o: { id: string }) => o.id)).toEqual([other.orgId]);
    await assertNothingLost(api, s, m);
  });

  it('a member who joins the target by accepting is not mistaken for joining elsewhere', async () => {
    const s = await scene(api, 'member-moves', -1);
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    await acceptFromMail(api, s.user);
    const m = await waitFor(api, s.user, id, finished);
    expect(m.status, JSON.stringify(m)).toBe('succeeded');
  });
});
