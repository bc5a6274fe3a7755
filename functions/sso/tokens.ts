/**
 * The SSO bridge's tokens: RS256 JWTs (id_tokens and access tokens) signed by a KMS key (`SSO_SIGNING_KEY_ID`, an
 * RSA_2048 SIGN_VERIFY key whose private half never leaves KMS), the JWKS that publishes its public half for Cognito (or
 * the local provider) to trust, and the verification the bridge's own userinfo endpoint does.
 *
 * - `kid` is the RFC 7638 thumbprint of the public key, so it is stable for a key and new for a new key: a rotation is a
 *   new key id, and the public key is read from KMS once per process and key id.
 * - KMS signs the SHA-256 digest of `base64url(header).base64url(payload)` (MessageType DIGEST,
 *   RSASSA_PKCS1_V1_5_SHA_256), which is exactly JWS RS256 (RFC 7518, 3.3) for a signing input of any length (RAW
 *   takes at most 4096 bytes).
 * - The client's endpoint comes from the standard setting (AWS_ENDPOINT_URL_KMS), so local runs need no code path of
 *   their own.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { calculateJwkThumbprint, createLocalJWKSet, type JWK, type JWTPayload, jwtVerify } from 'jose';
import { ssoSigningKeyId } from '../shared/config.ts';

export const SSO_SIGNING_ALG = 'RS256';

export const kms = new KMSClient({ maxAttempts: 3 });

interface PublicKey {
  kid: string;
  jwk: JWK;
}

const publicKeys = new Map<string, Promise<PublicKey>>();

async function readPublicKey(keyId: string): Promise<PublicKey> {
  const { PublicKey: der } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  if (!der) throw new Error(`KMS returned no public key for ${keyId}`);
  const jwk = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }).export({
    format: 'jwk',
  }) as JWK;
  if (jwk.kty !== 'RSA') throw new Error(`The SSO signing key ${keyId} is not an RSA key (${jwk.kty})`);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { kid, jwk: { kty: jwk.kty, n: jwk.n, e: jwk.e, use: 'sig', alg: SSO_SIGNING_ALG, kid } };
}

/** The signing key's public half, read once per process (a failed read is tried again next time). */
function publicKey(): Promise<PublicKey> {
  const keyId = ssoSigningKeyId();
  let found = publicKeys.get(keyId);
  if (!found) {
    found = readPublicKey(keyId);
    publicKeys.set(keyId, found);
    found.catch(() => publicKeys.delete(keyId));
  }
  return found;
}

const base64url = (data: Uint8Array | string) => Buffer.from(data).toString('base64url');

/** A JWT with `payload` plus `iat` (now) and `exp` (now + `expiresInSeconds`), signed with RS256 by KMS. */
export async function signJwt(
  payload: Record<string, unknown>,
  opts: { expiresInSeconds: number; now?: Date },
): Promise<string> {
  const { kid } = await publicKey();
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const header = { alg: SSO_SIGNING_ALG, typ: 'JWT', kid };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify({ ...payload, iat, exp: iat + opts.expiresInSeconds }))}`;
  const { Signature } = await kms.send(
    new SignCommand({
      KeyId: ssoSigningKeyId(),
      // The SHA-256 digest, not the message: KMS takes at most 4096 bytes of RAW message, and a person with many
      // groups (Entra sends group object ids) makes a longer token. The signature is the same (RSASSA-PKCS1-v1_5).
      Message: createHash('sha256').update(signingInput).digest(),
      MessageType: 'DIGEST',
      SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
    }),
  );
  if (!Signature) throw new Error('KMS returned no signature');
  return `${signingInput}.${base64url(Signature)}`;
}

/** The JWKS the bridge publishes: the signing key's public half with `use`, `alg` and `kid`. */
export async function publicJwks(): Promise<{ keys: JWK[] }> {
  return { keys: [{ ...(await publicKey()).jwk }] };
}

/**
 * A token this bridge signed, checked as any relying party would: RS256 only, the `kid` of our key, the signature,
 * `exp`/`nbf`, the issuer and (when given) the audience. Throws jose's errors otherwise.
 */
export async function verifyJwt(
  token: string,
  opts: { issuer: string; audience?: string },
): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, createLocalJWKSet(await publicJwks()), {
    algorithms: [SSO_SIGNING_ALG],
    issuer: opts.issuer,
    ...(opts.audience !== undefined ? { audience: opts.audience } : {}),
  });
  return payload;
}
