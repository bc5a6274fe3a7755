/**
 * A real DNS server (dns2, UDP and TCP on one port) answering the TXT records a developer sets, so domain verification
 * runs locally exactly as in AWS: the API resolves with Node's resolver against `DNS_RESOLVERS`, which `npm start`
 * points here. The records live in a small JSON file (`{ "<name>": ["<value>", …] }`) read at every query, so
 * `npm run dns -- set …` (another process) changes the answers at once, with nothing cached.
 */
import { rmSync } from 'node:fs';
import dns2 from 'dns2';
import { readJsonFile, writeJsonFile } from './json-file.ts';

const { Packet } = dns2;
/** RFC 1035's "name error" (dns2 has `Packet.RCODE` but its types omit it). */
const NXDOMAIN = 3;

export type DnsRecords = Record<string, string[]>;

export interface RunningDns {
  port: number;
  /** What `DNS_RESOLVERS` holds to use it: `127.0.0.1:<port>`. */
  resolver: string;
  recordsFile: string;
  /** Sets (replaces) the TXT values of a name; no values removes it. */
  setTxt(name: string, values: string[]): void;
  stop(): Promise<void>;
}

/** Names compare as DNS compares them: case-insensitive, with or without the root's trailing dot. */
export const dnsName = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '');

export function readRecords(file: string): DnsRecords {
  const parsed = readJsonFile(file); // undefined when half-written by hand: answer nothing rather than fail every query
  return parsed && typeof parsed === 'object' ? (parsed as DnsRecords) : {};
}

/** Replaces a name's TXT values in the file (written whole, then renamed, so a query never reads half a file). */
export function writeTxt(file: string, name: string, values: string[]): void {
  const records = readRecords(file);
  const key = dnsName(name);
  if (values.length) records[key] = values;
  else delete records[key];
  writeJsonFile(file, records);
}

export async function startLocalDns(opts: {
  port: number;
  recordsFile: string;
  /** Delete the records file at stop (a stack whose data lives in memory). */
  removeAtStop?: boolean;
}): Promise<RunningDns> {
  const server = dns2.createServer({
    udp: true,
    tcp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const values = question ? readRecords(opts.recordsFile)[dnsName(question.name)] : undefined;
      if (!question || !values) {
        response.header.rcode = NXDOMAIN;
      } else if (question.type === Packet.TYPE.TXT || question.type === Packet.TYPE.ANY) {
        for (const value of values)
          response.answers.push({
            name: question.name,
            type: Packet.TYPE.TXT,
            class: Packet.CLASS.IN,
            ttl: 1,
            data: value,
          } as never);
      } // the name exists but has no record of the type asked: an empty NOERROR answer
      void send(response);
    },
  });
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', (e: Error) => reject(new Error(`local DNS on port ${opts.port}: ${e.message}`)));
    void server
      .listen({
        udp: { port: opts.port, address: '127.0.0.1' },
        tcp: { port: opts.port, address: '127.0.0.1' },
      })
      .then(() => resolve(), reject);
  });
  await listening;
  return {
    port: opts.port,
    resolver: `127.0.0.1:${opts.port}`,
    recordsFile: opts.recordsFile,
    setTxt: (name, values) => writeTxt(opts.recordsFile, name, values),
    stop: async () => {
      await server.close();
      if (opts.removeAtStop) rmSync(opts.recordsFile, { force: true });
    },
  };
}
