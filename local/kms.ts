/**
 * A local KMS endpoint for asymmetric signing keys, speaking KMS's own protocol (AWS JSON 1.1: `POST /` with
 * `X-Amz-Target: TrentService.<Op>`, blobs as base64, errors as `{"__type", "message"}`), so handlers use the real
 * `@aws-sdk/client-kms` through `AWS_ENDPOINT_URL_KMS`, as `local/ses.ts` does for SES.
 *
 * Supported: `CreateKey` (KeySpec RSA_2048, RSA_3072 or RSA_4096 with KeyUsage SIGN_VERIFY), `DescribeKey`,
 * `GetPublicKey`, `Sign` and `Verify` (RSASSA_PKCS1_V1_5_SHA_256/384/512 and RSASSA_PSS_SHA_256/384/512, MessageType
 * RAW or DIGEST). A key is named by its id or its ARN. As in KMS: an unknown key is `NotFoundException`, a signature
 * that does not verify is `KMSInvalidSignatureException` (not `SignatureValid: false`), PSS uses a salt as long as the
 * digest, and a RAW message is at most 4096 bytes. Anything else (other operations, aliases, encryption keys) is
 * refused with a message saying what is supported. Keys are in memory, or in `keysFile` (private keys in PEM, mode
 * 0600) so a restart on the same data signs with the same key.
 */
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  privateEncrypt,
  publicDecrypt,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';

export const LOCAL_KMS_REGION = 'us-east-1';
export const LOCAL_KMS_ACCOUNT = '000000000000';

const KEY_SPECS = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 } as const;
type KeySpec = keyof typeof KEY_SPECS;

/** Each hash with the DER prefix of its PKCS #1 DigestInfo (RFC 8017, 9.2 note 1). */
const HASHES = {
  SHA_256: { name: 'sha256', length: 32, digestInfo: '3031300d060960864801650304020105000420' },
  SHA_384: { name: 'sha384', length: 48, digestInfo: '3041300d060960864801650304020205000430' },
  SHA_512: { name: 'sha512', length: 64, digestInfo: '3051300d060960864801650304020305000440' },
} as const;
type Hash = (typeof HASHES)[keyof typeof HASHES];
const SIGNING_ALGORITHMS = Object.keys(HASHES).flatMap((h) => [`RSASSA_PSS_${h}`, `RSASSA_PKCS1_V1_5_${h}`]);
const OPERATIONS = ['CreateKey', 'DescribeKey', 'GetPublicKey', 'Sign', 'Verify'];

interface StoredKey {
  id: string;
  description: string;
  keySpec: KeySpec;
  /** Seconds since the epoch, as KMS's JSON carries dates. */
  created: number;
  privateKeyPem: string;
}

interface Key extends StoredKey {
  arn: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A KMS error: `__type` is the exception's name, as the SDK reads it. */
class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface RunningKms {
  endpoint: string;
  /** The id of the key with this description, created (RSA_2048, SIGN_VERIFY) when there is none. */
  keyFor(description: string): string;
  stop(): Promise<void>;
}

export interface KmsOptions {
  /** Keep the keys in this JSON file across restarts; in memory when absent. */
  keysFile?: string;
}

const arnOf = (id: string) => `arn:aws:kms:${LOCAL_KMS_REGION}:${LOCAL_KMS_ACCOUNT}:key/${id}`;

function loadKey(stored: StoredKey): Key {
  const privateKey = createPrivateKey(stored.privateKeyPem);
  return { ...stored, arn: arnOf(stored.id), privateKey, publicKey: createPublicKey(privateKey) };
}

const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((byte, i) => byte ^ (b[i] ?? 0)));

/** MGF1 (RFC 8017, B.2.1) with the given hash. */
function mgf1(seed: Buffer, length: number, hash: Hash): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * hash.length < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash.name).update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** EMSA-PSS-ENCODE's final steps (RFC 8017, 9.1.1) over a digest: `emBits` is the modulus's bit length minus one. */
function pssEncoded(digest: Buffer, salt: Buffer, emBits: number, hash: Hash): Buffer {
  const emLen = Math.ceil(emBits / 8);
  const h = createHash(hash.name).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - salt.length - hash.length - 2), Buffer.from([1]), salt]);
  const maskedDb = xor(db, mgf1(h, db.length, hash));
  maskedDb[0] = (maskedDb[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  return Buffer.concat([maskedDb, h, Buffer.from([0xbc])]);
}

const rsaRaw = (key: KeyObject, block: Buffer) =>
  privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, block);

const modulusBits = (key: Key) => KEY_SPECS[key.keySpec];

function sign(key: Key, digest: Buffer, pss: boolean, hash: Hash): Buffer {
  if (!pss)
    return privateEncrypt(
      { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([Buffer.from(hash.digestInfo, 'hex'), digest]),
    );
  const bits = modulusBits(key);
  const em = pssEncoded(digest, randomBytes(hash.length), bits - 1, hash);
  return rsaRaw(key.privateKey, Buffer.concat([Buffer.alloc(bits / 8 - em.length), em]));
}

function verifies(key: Key, digest: Buffer, signature: Buffer, pss: boolean, hash: Hash): boolean {
  const bits = modulusBits(key);
  if (signature.length !== bits / 8) return false;
  try {
    if (!pss) {
      const expected = Buffer.concat([Buffer.from(hash.digestInfo, 'hex'), digest]);
      const found = publicDecrypt({ key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
      return found.length === expected.length && timingSafeEqual(found, expected);
    }
    const raw = publicDecrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, signature);
    const em = raw.subarray(raw.length - Math.ceil((bits - 1) / 8));
    if (em[em.length - 1] !== 0xbc) return false;
    // The salt is the last hash.length bytes of the unmasked DB: encode again with it and compare.
    const h = em.subarray(em.length - hash.length - 1, em.length - 1);
    const maskedDb = em.subarray(0, em.length - hash.length - 1);
    const db = xor(maskedDb, mgf1(h, maskedDb.length, hash));
    const again = pssEncoded(digest, db.subarray(db.length - hash.length), bits - 1, hash);
    return timingSafeEqual(again, em);
  } catch {
    return false; // not a valid RSA block for this key
  }
}

function blob(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || value === '')
    throw new KmsError('ValidationException', `1 validation error detected: ${field} must not be empty`);
  return Buffer.from(value, 'base64');
}

export async function startLocalKms(port: number, opts: KmsOptions = {}): Promise<RunningKms> {
  const keys = new Map<string, Key>();
  if (opts.keysFile && existsSync(opts.keysFile))
    for (const stored of JSON.parse(readFileSync(opts.keysFile, 'utf8')) as StoredKey[])
      keys.set(stored.id, loadKey(stored));
  const save = () => {
    if (!opts.keysFile) return;
    mkdirSync(dirname(opts.keysFile), { recursive: true });
    const stored: StoredKey[] = [...keys.values()].map(
      ({ id, description, keySpec, created, privateKeyPem }) => ({
        id,
        description,
        keySpec,
        created,
        privateKeyPem,
      }),
    );
    writeFileSync(opts.keysFile, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  };

  const createKey = (keySpec: KeySpec, description: string): Key => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: KEY_SPECS[keySpec] });
    const key = loadKey({
      id: randomUUID(),
      description,
      keySpec,
      created: Math.floor(Date.now() / 1000),
      privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    });
    keys.set(key.id, key);
    save();
    return key;
  };

  const find = (keyId: unknown): Key => {
    if (typeof keyId !== 'string' || keyId === '')
      throw new KmsError('ValidationException', '1 validation error detected: KeyId must not be empty');
    if (/^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias\//.test(keyId))
      throw new KmsError('NotFoundException', `Alias ${keyId} is not found. (The local KMS has no aliases.)`);
    const id = keyId.startsWith('arn:') ? keyId.slice(keyId.lastIndexOf('/') + 1) : keyId;
    const key = keys.get(id);
    if (!key || (keyId.startsWith('arn:') && keyId !== key.arn))
      throw new KmsError(
        'NotFoundException',
        `Key '${keyId.startsWith('arn:') ? keyId : arnOf(keyId)}' does not exist`,
      );
    return key;
  };

  const metadata = (key: Key) => ({
    AWSAccountId: LOCAL_KMS_ACCOUNT,
    KeyId: key.id,
    Arn: key.arn,
    CreationDate: key.created,
    Enabled: true,
    Description: key.description,
    KeyUsage: 'SIGN_VERIFY',
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    SigningAlgorithms: SIGNING_ALGORITHMS,
    MultiRegion: false,
  });

  /** The key, the digest to sign or verify, and how: the checks Sign and Verify share. */
  const signingInput = (body: Record<string, unknown>) => {
    const key = find(body.KeyId);
    const algorithm = body.SigningAlgorithm;
    const match =
      typeof algorithm === 'string' && /^RSASSA_(PSS|PKCS1_V1_5)_(SHA_(?:256|384|512))$/.exec(algorithm);
    if (!match)
      throw new KmsError(
        'ValidationException',
        `1 validation error detected: Value '${String(algorithm)}' at 'signingAlgorithm' failed to satisfy constraint: the local KMS supports ${SIGNING_ALGORITHMS.join(', ')}`,
      );
    const hash = HASHES[match[2] as keyof typeof HASHES];
    const message = blob(body.Message, 'Message');
    const type = body.MessageType ?? 'RAW';
    if (type !== 'RAW' && type !== 'DIGEST')
      throw new KmsError('ValidationException', `MessageType must be RAW or DIGEST, not ${String(type)}`);
    if (type === 'RAW' && message.length > 4096)
      throw new KmsError('ValidationException', 'Message must be at most 4096 bytes; send a DIGEST instead');
    if (type === 'DIGEST' && message.length !== hash.length)
      throw new KmsError('ValidationException', `Digest is invalid length for algorithm ${algorithm}.`);
    const digest = type === 'DIGEST' ? message : createHash(hash.name).update(message).digest();
    return { key, algorithm, digest, pss: match[1] === 'PSS', hash };
  };

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateKey(body) {
      const keySpec = body.KeySpec ?? body.CustomerMasterKeySpec;
      if (body.KeyUsage !== 'SIGN_VERIFY' || typeof keySpec !== 'string' || !(keySpec in KEY_SPECS))
        throw new KmsError(
          'UnsupportedOperationException',
          `The local KMS creates only signing keys: KeyUsage SIGN_VERIFY with KeySpec ${Object.keys(KEY_SPECS).join(', ')} (got ${String(body.KeyUsage)}, ${String(keySpec)})`,
        );
      return { KeyMetadata: metadata(createKey(keySpec as KeySpec, String(body.Description ?? ''))) };
    },
    DescribeKey: (body) => ({ KeyMetadata: metadata(find(body.KeyId)) }),
    GetPublicKey(body) {
      const key = find(body.KeyId);
      return {
        KeyId: key.arn,
        PublicKey: key.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
        CustomerMasterKeySpec: key.keySpec,
        KeySpec: key.keySpec,
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: SIGNING_ALGORITHMS,
      };
    },
    Sign(body) {
      const { key, algorithm, digest, pss, hash } = signingInput(body);
      const signature = sign(key, digest, pss, hash);
      return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: algorithm };
    },
    Verify(body) {
      const { key, algorithm, digest, pss, hash } = signingInput(body);
      if (!verifies(key, digest, blob(body.Signature, 'Signature'), pss, hash))
        throw new KmsError('KMSInvalidSignatureException', '');
      return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
    },
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown, errorType?: string) => {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': randomUUID(),
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(JSON.stringify(body));
      };
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const op = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : '';
        const handle = req.method === 'POST' ? operations[op] : undefined;
        if (!handle)
          throw new KmsError(
            'UnknownOperationException',
            `The local KMS does not support ${target ? `"${target}"` : 'a request without X-Amz-Target'}; it supports ${OPERATIONS.map((o) => `TrentService.${o}`).join(', ')}`,
          );
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown>;
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          throw new KmsError('SerializationException', 'The request body is not JSON');
        }
        answer(200, handle(body));
      } catch (e) {
        const error = e instanceof KmsError ? e : new KmsError('KMSInternalException', String(e), 500);
        answer(error.status, { __type: error.type, message: error.message }, error.type);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    keyFor(description) {
      return (
        [...keys.values()].find((k) => k.description === description) ?? createKey('RSA_2048', description)
      ).id;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
