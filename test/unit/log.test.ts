import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redactPath, redactSecrets } from '../../functions/shared/log.ts';

const token = () => randomBytes(32).toString('base64url');
/** Percent-encode the characters at the given positions, as a client may send them. */
const encodeAt = (s: string, at: number[]) =>
  [...s].map((c, i) => (at.includes(i) ? `%${c.charCodeAt(0).toString(16).toUpperCase()}` : c)).join('');

/** Percent-decoding that tolerates an escape cut in half by the redaction. */
const decoded = (s: string) =>
  s.replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));

describe('redactPath', () => {
  it.each([
    ['plain', [] as number[]],
    ['one character percent-encoded', [8]],
    ['one character percent-encoded inside the prefix', [3]],
    ['every character percent-encoded', [...Array(43).keys()]],
  ])('keeps no more than a short prefix of a token sent %s', (_, at) => {
    const t = token();
    const sent = encodeAt(t, at);
    for (const path of [
      `/api/v1/organizations/invitations/${sent}/_accept`,
      `/api/v1/organizations/invitations/${sent}`,
      `/invitations/${sent}`,
      `/api/v1/organizations/o1/invitations/${sent},${encodeAt(token(), at)}`,
    ]) {
      const logged = redactPath(path);
      expect(logged).not.toContain(t.slice(8, 20));
      expect(logged).not.toContain(sent.slice(8, 20));
      expect(decoded(logged)).not.toContain(t.slice(8, 20));
    }
    expect(redactPath(`/api/v1/organizations/invitations/${sent}/_accept`)).toMatch(/\/_accept$/);
  });
});

describe('redactSecrets', () => {
  it('cuts a long token-like run even when percent-encoded characters break it up', () => {
    const t = token();
    const line = JSON.stringify({ detail: `no such token ${encodeAt(t, [10, 20, 30])}` });
    expect(redactSecrets(line)).not.toContain(t.slice(12, 18));
  });
  it('keeps ids readable', () => {
    const id = randomBytes(16).toString('hex');
    expect(redactSecrets(JSON.stringify({ organization: id }))).toContain(id);
  });
});
