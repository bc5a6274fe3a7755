/**
 * The TXT record that proves a domain: its name, and reading it with Node's own resolver against the configured DNS
 * servers (`DNS_RESOLVERS`; the system's when unset). Locally `npm start` points that setting at its DNS server.
 */
import { Resolver } from 'node:dns/promises';
import { dnsResolvers } from '../shared/config.ts';

/**
 * The record an admin publishes. The reference does not name one; a label of our own under the domain leaves the
 * apex's TXT records (SPF, other verifications) alone and can be delegated by CNAME.
 */
export const VERIFICATION_LABEL = '_elastic-cloud-verification';
export const verificationRecordName = (domain: string): string => `${VERIFICATION_LABEL}.${domain}`;

/** What the DNS answered for a name: its TXT values (each record's strings joined), or why there are none. */
export type TxtLookup = { values: string[] } | { error: string };

export type TxtResolver = (name: string) => Promise<TxtLookup>;

/** Answers meaning "no such record (yet)", as opposed to a server that failed to answer. */
const ABSENT = new Set(['ENOTFOUND', 'ENODATA']);

let resolver: Resolver | undefined;

/** TXT values of `name` through the configured servers: one resolver per process, 2 s per try, 2 tries. */
export const resolveTxt: TxtResolver = async (name) => {
  if (!resolver) {
    resolver = new Resolver({ timeout: 2000, tries: 2 });
    const servers = dnsResolvers();
    if (servers) resolver.setServers(servers);
  }
  try {
    const records = await resolver.resolveTxt(name);
    return { values: records.map((chunks) => chunks.join('')) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    return ABSENT.has(code) ? { values: [] } : { error: code };
  }
};
