import { describe, expect, it } from 'vitest';
import { canonicalDomain, isPublicMailDomain } from '../../functions/domains/names.ts';

const refusal = (raw: string) => {
  try {
    canonicalDomain(raw);
  } catch (e) {
    return (e as { code: string; message: string }).message;
  }
  return undefined;
};

describe('canonicalDomain', () => {
  it('lower-cases, strips one trailing dot and spells internationalised names in IDNA', () => {
    // Prepare / Act / Assess in one table: what is sent, what is stored.
    expect(canonicalDomain('  Acme.Example.  ')).toBe('acme.example');
    expect(canonicalDomain('bücher.example')).toBe('xn--bcher-kva.example');
    expect(canonicalDomain('xn--bcher-kva.example')).toBe('xn--bcher-kva.example');
    expect(canonicalDomain('BÜCHER.example')).toBe('xn--bcher-kva.example');
  });

  it('refuses IPs, single labels, wildcards, addresses, URLs, bad labels and overlong names, saying why', () => {
    expect(refusal('192.0.2.10')).toContain('IP addresses');
    expect(refusal('::1')).toContain('not a domain name');
    expect(refusal('acme')).toContain('single label');
    expect(refusal('*.acme.example')).toContain('Wildcards');
    expect(refusal('it@acme.example')).toContain('not a domain name');
    expect(refusal('https://acme.example')).toContain('not a domain name');
    expect(refusal('-acme.example')).toContain('not a valid domain name');
    expect(refusal('acme..example')).toContain('not a valid domain name');
    expect(refusal('acme.123')).toContain('not a valid domain name');
    expect(refusal(`${'a'.repeat(64)}.example`)).toContain('not a valid domain name');
    expect(refusal(`${'abcdefghi.'.repeat(26)}example`)).toContain('not a valid domain name');
    expect(refusal('')).toContain('Give the domain');
  });

  it('refuses public mail domains, their subdomains and the providers under any country suffix', () => {
    for (const d of ['gmail.com', 'outlook.com', 'proton.me', 'mail.ru', 'qq.com', '163.com', 'icloud.com'])
      expect(refusal(d), d).toContain('public mail domain');
    for (const d of ['gmx.de', 'gmx.net', 'gmx.co.uk', 'yandex.ru', 'yandex.com', 'mx.yahoo.com'])
      expect(isPublicMailDomain(d), d).toBe(true);
    for (const d of ['acme.com', 'gmail.acme.com', 'mygmx.de', 'example.co.uk'])
      expect(isPublicMailDomain(d), d).toBe(false);
  });
});
