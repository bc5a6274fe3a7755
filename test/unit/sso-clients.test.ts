/** The SSO bridge's registered clients (`SSO_CLIENTS`): a secret's hash (locally) or the secret (AWS, by CloudFormation). */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../functions/shared/env-names.ts';

const load = async (value: unknown) => {
  vi.resetModules();
  process.env[ENV.ssoClients] = JSON.stringify(value);
  const { bridgeClients } = await import('../../functions/sso/clients.ts');
  return bridgeClients;
};
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

afterEach(() => {
  delete process.env[ENV.ssoClients];
});

describe('SSO_CLIENTS', () => {
  it('keeps a hash as given and hashes a secret, so only hashes are compared', async () => {
    const bridgeClients = await load([
      { client_id: 'local', client_secret_sha256: sha256('s1'), redirect_uris: ['http://a/cb'] },
      { client_id: 'cognito', client_secret: 's2', redirect_uris: ['https://b/oauth2/idpresponse'] },
    ]);
    expect(bridgeClients()).toEqual([
      { client_id: 'local', client_secret_sha256: sha256('s1'), redirect_uris: ['http://a/cb'] },
      {
        client_id: 'cognito',
        client_secret_sha256: sha256('s2'),
        redirect_uris: ['https://b/oauth2/idpresponse'],
      },
    ]);
    expect(JSON.stringify(bridgeClients())).not.toContain('"s2"');
  });

  it('refuses an entry with neither a secret nor its hash', async () => {
    const bridgeClients = await load([{ client_id: 'x', redirect_uris: [] }]);
    expect(() => bridgeClients()).toThrow(/client_secret_sha256 or client_secret/);
  });
});
