/** 0. The outbox: invite answers once committed; the emails leave at the configured rate, none lost. */
import { config } from '../functions/shared/config.ts';
import { readMailbox } from '../local/ses.ts';
import { type Bench, dynamoOnly } from './context.ts';
import { indexWriteUnits, record, writeUnits } from './record.ts';
import { benchSendRate } from './send-rate.ts';

/** Measures the outbox and records its work per email in `b.perEmail`; leaves the outbox paused. */
export async function benchOutbox(b: Bench): Promise<void> {
  const rate = config().emailSendRatePerSecond;
  console.log(
    `\n| invite (outbox at ${rate} emails/s) | request (handler) | emails delivered | lost | answer to last email | emails per second |\n|---|---|---|---|---|---|`,
  );
  for (const size of b.smoke ? [1, 25] : [1, 25, 100]) {
    const owner = `outbox-${size}-${b.run}@example.com`;
    const org = (await b.call('POST', '/api/v1/organizations', owner, { name: 'Outbox' })).body.id as string;
    const emails = Array.from({ length: size }, (_, k) => `ob${size}-${k}-${b.run}@example.com`);
    await b.stack.outbox.idle();
    const reply = await b.call('POST', `/api/v1/organizations/${org}/invitations`, owner, { emails });
    const answered = Date.now();
    // Watch the mailbox: when the first and the last email arrived (local SES stamps whole seconds only). Nothing
    // else runs meanwhile: the DynamoDB calls recorded are the outbox's.
    const wanted = new Set(emails);
    let got: Awaited<ReturnType<typeof readMailbox>> = [];
    let first = 0;
    let last = 0;
    const sending = await record(async () => {
      for (let seen = 0; ; ) {
        got = (await readMailbox(b.stack.sesEndpoint)).filter((m) => wanted.has(m.destination.to[0] ?? ''));
        if (got.length > seen) {
          seen = got.length;
          first ||= Date.now();
          last = Date.now();
        }
        if (seen >= size || Date.now() - answered > 600_000) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await b.stack.outbox.idle(600_000);
    });
    if (size > 1 && last > first) {
      const dynamoCalls = dynamoOnly(sending.calls);
      b.perEmail = {
        readUnits: sending.capacity / size,
        writeUnits: (writeUnits(dynamoCalls) + (await indexWriteUnits(dynamoCalls))) / size,
        // Paced at the configured rate, an invocation lasts about as long as its emails take to leave.
        ms: (last - first) / (size - 1),
      };
    }
    got = (await readMailbox(b.stack.sesEndpoint)).filter((m) => wanted.has(m.destination.to[0] ?? ''));
    const delivered = new Set(got.map((m) => m.destination.to[0])).size;
    const span = (last - first) / 1000;
    // n emails from the first to the last: n - 1 intervals.
    const perSecond = size > 1 && span > 0 ? ((size - 1) / span).toFixed(1) : '–';
    console.log(
      `| ${size} | ${reply.handlerMs.toFixed(1)} ms | ${got.length} | ${size - delivered} | ${((last - answered) / 1000).toFixed(2)} s | ${perSecond} |`,
    );
    if (got.length !== size || delivered !== size)
      throw new Error(`outbox: ${size} invited, ${got.length} emails`);
  }
  console.log(
    `\nPer email the outbox used ${b.perEmail.readUnits.toFixed(1)} read and ${b.perEmail.writeUnits.toFixed(1)} write units and ${b.perEmail.ms.toFixed(0)} ms of its invocation (paced sending), priced with each invitation below.`,
  );
  await benchSendRate(b.stack, b.call, b.run, b.smoke);
  // The operations below measure request paths: no emails going out behind them.
  b.stack.outbox.pause();
}
