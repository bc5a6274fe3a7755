/**
 * The SSO bridge's tokens (`functions/sso/tokens.ts`) against the local KMS (`local/kms.ts`, started here on a free
 * port), both through the real `@aws-sdk/client-kms`: tokens are checked by jose as a relying party that fetches the
 * JWKS over HTTP, and the local KMS's signatures by Node's own crypto, so neither side checks itself.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  KMSInvalidSignatureException,
  ListKeysCommand,
  NotFoundException,
  SignCommand,
  type SigningAlgorithmSpec,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/shared/env-names.ts';
import { type RunningKms, startLocalKms } from '../../local/kms.ts';

type Tokens = typeof import('../../functions/sso/tokens.ts');

const ISSUER = 'https://sso.test';
const dir = mkdtempSync(join(tmpdir(), 'kms-'));
const keysFile = join(dir, 'keys.json');
let local: RunningKms;
let client: KMSClient;
let tokens: Tokens;
let keyId: string;
let jwksServer: Server;
let jwksUrl: URL;

beforeAll(async () => {
  local = await startLocalKms(0, { keysFile });
  process.env.AWS_ENDPOINT_URL_KMS = local.endpoint;
  keyId = local.keyFor('sso signing (test)');
  process.env[ENV.ssoSigningKeyId] = keyId;
  client = new KMSClient({});
  tokens = await import('../../functions/sso/tokens.ts');
  // The JWKS as a relying party (Cognito) fetches it: JSON over HTTP.
  jwksServer = createServer((_req, res) => {
    void tokens.publicJwks().then((jwks) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(jwks));
    });
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = new URL(`http://127.0.0.1:${(jwksServer.address() as { port: number }).port}/jwks`);
});

afterAll(async () => {
  await new Promise((resolve) => jwksServer?.close(resolve));
  await local?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const publicKeyOf = async (id: string) => {
  const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: id }));
  return createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
};

describe('SSO bridge tokens signed by KMS', () => {
  it('signs a JWT a relying party verifies with the published JWKS; kid is the key thumbprint; exp is set', async () => {
    const now = new Date();
    const token = await tokens.signJwt(
      { iss: ISSUER, sub: 'user-1', aud: 'cognito-client', email: 'a@acme.test' },
      { expiresInSeconds: 300, now },
    );
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(jwksUrl), {
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: 'cognito-client',
    });
    const iat = Math.floor(now.getTime() / 1000);
    expect(payload).toEqual({
      iss: ISSUER,
      sub: 'user-1',
      aud: 'cognito-client',
      email: 'a@acme.test',
      iat,
      exp: iat + 300,
    });

    const jwks = await tokens.publicJwks();
    expect(jwks.keys).toHaveLength(1);
    const jwk = jwks.keys[0]!;
    const fromKms = (await publicKeyOf(keyId)).export({ format: 'jwk' }) as JWK;
    expect(jwk).toEqual({ ...fromKms, use: 'sig', alg: 'RS256', kid: await calculateJwkThumbprint(fromKms) });
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: jwk.kid });
  });

  it('signs a token longer than KMS takes as a message (a person in 500 groups), which still verifies', async () => {
    // KMS signs at most 4096 bytes of RAW message; Entra sends group object ids, 36 characters each.
    const groups = Array.from(
      { length: 500 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const token = await tokens.signJwt(
      { iss: ISSUER, sub: 'user-1', aud: 'c', groups },
      { expiresInSeconds: 300 },
    );
    expect(token.length).toBeGreaterThan(4096);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(jwksUrl), {
      algorithms: ['RS256'],
      issuer: ISSUER,
    });
    expect(payload.groups).toEqual(groups);
  });

  it('refuses a tampered token, an expired one, another issuer or audience, and another algorithm', async () => {
    const token = await tokens.signJwt({ iss: ISSUER, sub: 'user-1', aud: 'api' }, { expiresInSeconds: 60 });
    expect(await tokens.verifyJwt(token, { issuer: ISSUER, audience: 'api' })).toMatchObject({
      sub: 'user-1',
    });

    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: 'admin' })).toString('base64url');
    const tampered = `${header}.${forged}.${signature}`;
    await expect(jwtVerify(tampered, createRemoteJWKSet(jwksUrl))).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
    await expect(tokens.verifyJwt(tampered, { issuer: ISSUER })).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });

    const old = await tokens.signJwt(
      { iss: ISSUER, sub: 'user-1' },
      { expiresInSeconds: 60, now: new Date(Date.now() - 120_000) },
    );
    await expect(tokens.verifyJwt(old, { issuer: ISSUER })).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
    await expect(tokens.verifyJwt(token, { issuer: 'https://other.test' })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
    await expect(tokens.verifyJwt(token, { issuer: ISSUER, audience: 'other' })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
    const hs256 = await new SignJWT({ iss: ISSUER, sub: 'admin' })
      .setProtectedHeader({ alg: 'HS256', kid: decodeProtectedHeader(token).kid! })
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode('a shared secret that is long enough'));
    await expect(tokens.verifyJwt(hs256, { issuer: ISSUER })).rejects.toThrow();
  });

  it('surfaces KMS failures as errors instead of swallowing them, and reads the public key again after one', async () => {
    const mock = mockClient(tokens.kms);
    const fault = (name: string) => Object.assign(new Error(name), { name, $metadata: {} });
    try {
      mock.on(SignCommand).rejects(fault('KMSInvalidStateException'));
      mock.on(GetPublicKeyCommand).rejects(fault('AccessDeniedException'));
      // The real key's public half is cached already: only Sign reaches KMS, and its refusal comes out.
      await expect(tokens.signJwt({ sub: 'x' }, { expiresInSeconds: 60 })).rejects.toMatchObject({
        name: 'KMSInvalidStateException',
      });
      process.env[ENV.ssoSigningKeyId] = 'another-key';
      await expect(tokens.publicJwks()).rejects.toMatchObject({ name: 'AccessDeniedException' });
      await expect(tokens.signJwt({ sub: 'x' }, { expiresInSeconds: 60 })).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
      const der = (await publicKeyOf(keyId)).export({ format: 'der', type: 'spki' });
      mock.on(GetPublicKeyCommand).resolves({ PublicKey: new Uint8Array(der) });
      expect((await tokens.publicJwks()).keys[0]?.kty).toBe('RSA');
    } finally {
      mock.restore();
      process.env[ENV.ssoSigningKeyId] = keyId;
    }
  });
});

describe('the local KMS through the real SDK', () => {
  const message = Buffer.from('header.payload');
  const digest = createHash('sha256').update(message).digest();
  const cases: [SigningAlgorithmSpec, number | undefined][] = [
    ['RSASSA_PKCS1_V1_5_SHA_256', undefined],
    ['RSASSA_PSS_SHA_256', 32],
  ];

  it.each(
    cases,
  )('signs with %s (RAW and DIGEST) as Node verifies it, and Verify agrees', async (alg, saltLength) => {
    const publicKey = await publicKeyOf(keyId);
    for (const [MessageType, Message] of [
      ['RAW', message],
      ['DIGEST', digest],
    ] as const) {
      const { Signature, KeyId, SigningAlgorithm } = await client.send(
        new SignCommand({ KeyId: keyId, Message, MessageType, SigningAlgorithm: alg }),
      );
      expect(KeyId).toBe(`arn:aws:kms:us-east-1:000000000000:key/${keyId}`);
      expect(SigningAlgorithm).toBe(alg);
      const key = saltLength ? { key: publicKey, padding: 6, saltLength } : publicKey; // 6: RSA_PKCS1_PSS_PADDING
      expect(verify('sha256', message, key, Signature!), `${alg} ${MessageType}`).toBe(true);
      expect(verify('sha256', Buffer.from('other'), key, Signature!)).toBe(false);

      const verified = await client.send(
        new VerifyCommand({ KeyId, Message, MessageType, Signature, SigningAlgorithm: alg }),
      );
      expect(verified.SignatureValid).toBe(true);
      const bad = Buffer.from(Signature!);
      bad[10] = (bad[10] ?? 0) ^ 1;
      await expect(
        client.send(
          new VerifyCommand({ KeyId, Message, MessageType, Signature: bad, SigningAlgorithm: alg }),
        ),
      ).rejects.toBeInstanceOf(KMSInvalidSignatureException);
    }
  });

  it('answers an unknown key with NotFoundException and an unsupported operation with a clear error', async () => {
    const sign = (KeyId: string) =>
      client.send(
        new SignCommand({ KeyId, Message: message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }),
      );
    await expect(sign('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(NotFoundException);
    await expect(sign('alias/missing')).rejects.toBeInstanceOf(NotFoundException);
    await expect(
      client.send(new GetPublicKeyCommand({ KeyId: `arn:aws:kms:us-east-1:000000000000:key/${keyId}x` })),
    ).rejects.toBeInstanceOf(NotFoundException);
    await expect(client.send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('does not support "TrentService.ListKeys"'),
    });
    await expect(
      client.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' })),
    ).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
  });

  it('creates and describes keys, and keeps them in its file across a restart', async () => {
    const { KeyMetadata } = await client.send(
      new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Description: 'second' }),
    );
    expect(KeyMetadata).toMatchObject({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', KeyState: 'Enabled' });
    const described = await client.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.Arn }));
    expect(described.KeyMetadata?.KeyId).toBe(KeyMetadata!.KeyId);
    expect(described.KeyMetadata?.CreationDate).toBeInstanceOf(Date);

    const before = (await publicKeyOf(keyId)).export({ format: 'jwk' });
    const again = await startLocalKms(0, { keysFile });
    try {
      expect(again.keyFor('sso signing (test)')).toBe(keyId);
      const restarted = new KMSClient({ endpoint: again.endpoint });
      const { PublicKey } = await restarted.send(new GetPublicKeyCommand({ KeyId: keyId }));
      expect(
        createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }).export({
          format: 'jwk',
        }),
      ).toEqual(before);
      const { Signature } = await restarted.send(
        new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }),
      );
      expect(verify('sha256', message, await publicKeyOf(keyId), Signature!)).toBe(true);
    } finally {
      await again.stop();
    }
  });
});
