/**
 * A local SES v2 endpoint: aws-ses-v2-local (the mailbox: mail at GET /store, a mailbox page at GET /), behind a small
 * front that adds what SES itself does around a send:
 * - SES's mailbox simulator addresses (`bounce@`, `complaint@`, `suppressionlist@simulator.amazonses.com`): the send is
 *   accepted, as in SES, and a bounce or complaint event follows for a send made with a configuration set, in the shape
 *   EventBridge delivers it (`detail` as SES publishes it). Events are at GET /events?after=<id>, oldest first.
 * - A maximum sending rate when one is set (`maxSendRate`): a send past it answers 429 TooManyRequestsException
 *   ("Maximum sending rate exceeded."), as SES does.
 * - The mailbox page's HTML view opens links in a new tab (`mailboxPage`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { freePort } from './ports.ts';

export interface CapturedEmail {
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** An SES event as EventBridge delivers it to a Lambda function. */
export interface LocalSesEvent {
  /** Position in this endpoint's event log (local only: what GET /events?after= counts from). */
  seq: number;
  version: '0';
  id: string;
  'detail-type': string;
  source: 'aws.ses';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface RunningSes {
  endpoint: string;
  stop(): Promise<void>;
}

export interface SesOptions {
  /** Sends per second SES accepts (a token bucket refilled at this rate); unlimited when absent. */
  maxSendRate?: number;
  /** How many sends the bucket holds, so how many may arrive at once: one second's worth when absent. */
  sendBurst?: number;
}

const SIMULATOR = /^(bounce|complaint|suppressionlist)(\+[^@]*)?@simulator\.amazonses\.com$/i;
const OUTBOUND = '/v2/email/outbound-emails';

interface SendRequest {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[] };
  ConfigurationSetName?: string;
  EmailTags?: { Name: string; Value: string }[];
}

async function startMailbox(port: number): Promise<Server> {
  const m = (await import('aws-ses-v2-local')) as unknown as {
    default:
      | ((c: { host: string; port: number }) => Promise<Server>)
      | { default: (c: { host: string; port: number }) => Promise<Server> };
  };
  const start = typeof m.default === 'function' ? m.default : m.default.default;
  return start({ host: '127.0.0.1', port });
}

/** The event SES publishes for a simulator address, or undefined for any other address. */
function simulatorEvent(
  to: string,
  send: SendRequest,
  messageId: string,
  seq: number,
): LocalSesEvent | undefined {
  const kind = SIMULATOR.exec(to)?.[1]?.toLowerCase();
  if (!kind || !send.ConfigurationSetName) return undefined; // SES publishes events only through a configuration set
  const now = new Date().toISOString();
  const tags: Record<string, string[]> = { 'ses:configuration-set': [send.ConfigurationSetName] };
  for (const t of send.EmailTags ?? []) tags[t.Name] = [t.Value];
  const mail = {
    timestamp: now,
    source: send.FromEmailAddress,
    messageId,
    destination: send.Destination?.ToAddresses ?? [],
    tags,
  };
  const base = {
    seq,
    version: '0' as const,
    id: randomUUID(),
    source: 'aws.ses' as const,
    account: '000000000000',
    time: now,
    region: 'us-east-1',
    resources: [`arn:aws:ses:us-east-1:000000000000:configuration-set/${send.ConfigurationSetName}`],
  };
  if (kind === 'complaint')
    return {
      ...base,
      'detail-type': 'Email Complaint Received',
      detail: {
        eventType: 'Complaint',
        mail,
        complaint: {
          complainedRecipients: [{ emailAddress: to }],
          complaintFeedbackType: 'abuse',
          timestamp: now,
          feedbackId: randomUUID(),
        },
      },
    };
  const suppressed = kind === 'suppressionlist';
  return {
    ...base,
    'detail-type': 'Email Bounced',
    detail: {
      eventType: 'Bounce',
      mail,
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: suppressed ? 'OnAccountSuppressionList' : 'General',
        bouncedRecipients: [
          {
            emailAddress: to,
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: suppressed
              ? 'Amazon SES did not send the message to this address because it is on the suppression list for your account.'
              : 'smtp; 550 5.1.1 user unknown',
          },
        ],
        timestamp: now,
        feedbackId: randomUUID(),
      },
    },
  };
}

/** Where the mailbox page writes an email's HTML into its frame. */
const FRAME_WRITE = 'iframeDoc.body.innerHTML = e.body.html;';

/**
 * The mailbox page shows an email's HTML in a frame; a link followed there opens inside the frame, and our pages refuse
 * to be framed (`frame-ancestors 'none'`), so the invitation link showed a blank frame. A `<base target="_blank">` in
 * the frame's head opens every link of the email in a new tab, as a mail client does. A new version of the mailbox page
 * that writes its frame differently is served unchanged (test/integration/invitation-page.test.ts notices).
 */
export const mailboxPage = (html: string): string =>
  html.replace(FRAME_WRITE, `iframeDoc.head.innerHTML = '<base target="_blank">'; ${FRAME_WRITE}`);

export async function startSesLocal(port: number, opts: SesOptions = {}): Promise<RunningSes> {
  const innerPort = await freePort();
  const mailbox = await startMailbox(innerPort);
  const events: LocalSesEvent[] = [];
  // SES's rate: a bucket of one second's sends, refilled continuously.
  const burst = opts.sendBurst ?? opts.maxSendRate ?? 0;
  let tokens = burst;
  let refilledAt = Date.now();
  const takeToken = (): boolean => {
    if (!opts.maxSendRate) return true;
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * opts.maxSendRate);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://local');
      if (req.method === 'GET' && url.pathname === '/events') {
        const after = Number(url.searchParams.get('after') ?? 0) || 0;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ events: events.filter((e) => e.seq > after) }));
        return;
      }
      const isSend = req.method === 'POST' && url.pathname === OUTBOUND;
      if (isSend && !takeToken()) {
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'TooManyRequestsException',
        });
        res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
        return;
      }
      const inner = request(
        {
          host: '127.0.0.1',
          port: innerPort,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: `127.0.0.1:${innerPort}` },
        },
        (innerRes) => {
          const out: Buffer[] = [];
          innerRes.on('data', (c: Buffer) => out.push(c));
          innerRes.on('end', () => {
            const answer = Buffer.concat(out);
            if (isSend && innerRes.statusCode === 200) {
              try {
                const send = JSON.parse(body.toString('utf8')) as SendRequest;
                const { MessageId } = JSON.parse(answer.toString('utf8')) as { MessageId: string };
                for (const to of send.Destination?.ToAddresses ?? []) {
                  const event = simulatorEvent(to, send, MessageId, events.length + 1);
                  if (event) events.push(event);
                }
              } catch {
                // not JSON: the mailbox answered it already
              }
            }
            if (req.method === 'GET' && url.pathname === '/' && innerRes.statusCode === 200) {
              const page = Buffer.from(mailboxPage(answer.toString('utf8')));
              res.writeHead(200, { ...innerRes.headers, 'content-length': String(page.length) });
              res.end(page);
              return;
            }
            res.writeHead(innerRes.statusCode ?? 500, innerRes.headers);
            res.end(answer);
          });
        },
      );
      inner.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      inner.end(body);
    });
  });
  const close = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections?.();
      s.close(() => resolve());
    });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (e) {
    await close(mailbox);
    throw e;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await Promise.all([close(server), close(mailbox)]);
    },
  };
}

/** Every email the local SES has captured, oldest first. */
export async function readMailbox(endpoint: string): Promise<CapturedEmail[]> {
  const res = await fetch(`${endpoint}/store`);
  const store = (await res.json()) as { emails: CapturedEmail[] };
  return store.emails;
}

/** The local SES's events after `after` (its `seq`), oldest first. */
export async function readSesEvents(endpoint: string, after = 0): Promise<LocalSesEvent[]> {
  const res = await fetch(`${endpoint}/events?after=${after}`);
  return ((await res.json()) as { events: LocalSesEvent[] }).events;
}
