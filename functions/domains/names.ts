/**
 * What a claimable domain is: one canonical form (lower case, IDNA A-labels, no trailing dot) checked at the edge,
 * so the table never holds two spellings of one domain and a refused name writes nothing.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { ApiError } from '../shared/errors.ts';

/**
 * Mail domains anyone can get an address in: claiming one would let an organization take in strangers. Matched on the
 * whole name and on its parent domains (`mail.yandex.ru` is Yandex's too). `gmx` and `yandex` are listed by their
 * first label, as they run the same service under many country suffixes.
 */
export const PUBLIC_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'hotmail.fr',
  'live.com',
  'msn.com',
  'passport.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.co.jp',
  'yahoo.fr',
  'ymail.com',
  'rocketmail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'protonmail.ch',
  'pm.me',
  'mail.com',
  'email.com',
  'zoho.com',
  'zohomail.com',
  'tutanota.com',
  'tuta.io',
  'fastmail.com',
  'hey.com',
  'mail.ru',
  'inbox.ru',
  'list.ru',
  'bk.ru',
  'rambler.ru',
  'qq.com',
  'foxmail.com',
  '163.com',
  '126.com',
  'yeah.net',
  'sina.com',
  'sohu.com',
  'aliyun.com',
  'naver.com',
  'daum.net',
  'hanmail.net',
  'web.de',
  't-online.de',
  'freenet.de',
  'orange.fr',
  'laposte.net',
  'free.fr',
  'libero.it',
  'virgilio.it',
  'seznam.cz',
  'wp.pl',
  'o2.pl',
  'interia.pl',
  'rediffmail.com',
  'comcast.net',
  'verizon.net',
  'att.net',
  'sbcglobal.net',
]);
const PUBLIC_MAIL_PROVIDERS: ReadonlySet<string> = new Set(['gmx', 'yandex']);

/** DNS's limit on a name (RFC 1035: 255 octets on the wire, 253 characters written). */
const MAX_NAME = 253;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

const invalid = (message: string) => new ApiError('root.invalid_data', message, ['domain_claim_request']);

/** Whether `domain` (canonical) is a public mail domain or under one. */
export function isPublicMailDomain(domain: string): boolean {
  const labels = domain.split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const suffix = labels.slice(i).join('.');
    if (PUBLIC_MAIL_DOMAINS.has(suffix)) return true;
    if (i === labels.length - 2 && PUBLIC_MAIL_PROVIDERS.has(labels[i] ?? '')) return true;
  }
  // gmx.co.uk, yandex.com.tr: the provider's label followed by a two-label suffix.
  const provider = labels.at(-3);
  return labels.length === 3 && provider !== undefined && PUBLIC_MAIL_PROVIDERS.has(provider);
}

/**
 * The canonical form of a domain someone asked to claim, or a 400 `root.invalid_data` that says what is wrong with it.
 * Refuses IP addresses, single labels, wildcards, names over 253 characters or with labels over 63, and public mail
 * domains.
 */
export function canonicalDomain(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed === '') throw invalid('Give the domain to claim, such as example.com.');
  if (trimmed.includes('*'))
    throw invalid('Wildcards cannot be claimed: claim the domain itself, such as example.com.');
  if (/[@/:\s]/.test(trimmed) || trimmed.startsWith('['))
    throw invalid(
      `"${trimmed.slice(0, 100)}" is not a domain name: give only the domain (example.com), without an address, scheme, port or path.`,
    );
  const withoutDot = trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
  if (isIP(withoutDot))
    throw invalid('IP addresses cannot be claimed: give a domain name such as example.com.');
  const ascii = domainToASCII(withoutDot.toLowerCase());
  if (ascii === '' || ascii.length > MAX_NAME)
    throw invalid(
      `"${trimmed.slice(0, 100)}" is not a valid domain name (letters, digits and hyphens in labels of at most 63 characters, at most 253 in all).`,
    );
  const labels = ascii.split('.');
  if (labels.length < 2)
    throw invalid(`"${ascii}" is a single label: claim a registered domain such as example.com.`);
  if (!labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? ''))
    throw invalid(
      `"${trimmed.slice(0, 100)}" is not a valid domain name (letters, digits and hyphens in labels of at most 63 characters, at most 253 in all).`,
    );
  if (isPublicMailDomain(ascii))
    throw invalid(
      `${ascii} is a public mail domain: anyone can have an address there, so no organization can claim it. Claim your company's own domain.`,
    );
  return ascii;
}
