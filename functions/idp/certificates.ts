/**
 * The IdP's signing certificates (the reference's `public_certificate`: "Base64-encoded PEM-format X.509"). Each is
 * read with Node's own X.509 parser and refused, naming which one and why, when it is not a certificate, is expired or
 * not valid yet, or has a key too weak to trust signatures by (RSA under 2048 bits, DSA, an unknown curve).
 */
import { X509Certificate } from 'node:crypto';
import { ApiError } from '../shared/errors.ts';

export const MAX_CERTIFICATES = 4;
const MIN_RSA_BITS = 2048;
const CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

const PEM = /^-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----$/;

export interface ParsedCertificate {
  /** Canonical PEM (as Node writes it). */
  pem: string;
  fingerprint256: string;
  validTo: string;
}

/**
 * The certificate as PEM, or as the bare base64 of its DER (what IdP metadata's `<X509Certificate>` holds, and what
 * admins often copy from it), or undefined when it is neither.
 */
function derOf(text: string): Buffer | undefined {
  const trimmed = text.trim();
  const body = PEM.exec(trimmed)?.[1] ?? (/^[A-Za-z0-9+/=\s]+$/.test(trimmed) ? trimmed : undefined);
  if (body === undefined) return undefined;
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  return der.length ? der : undefined;
}

function keyProblem(cert: X509Certificate): string | undefined {
  const key = cert.publicKey;
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    return bits < MIN_RSA_BITS
      ? `its RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are needed`
      : undefined;
  }
  if (type === 'ec')
    return CURVES.has(details.namedCurve ?? '')
      ? undefined
      : `its EC key is on ${details.namedCurve ?? 'an unnamed curve'}; use P-256, P-384 or P-521`;
  return `its key is ${type ?? 'of an unknown type'}; SAML signatures need an RSA (2048 bits or more) or EC key`;
}

/** Every certificate checked (at `now`), deduplicated; 400 `root.invalid_data` naming the first that fails and why. */
export function parseCertificates(list: readonly string[], now: Date, field: string): ParsedCertificate[] {
  const out = new Map<string, ParsedCertificate>();
  list.forEach((text, i) => {
    const at = `${field}[${i}]`;
    const refuse = (why: string) =>
      new ApiError('root.invalid_data', `Certificate ${i + 1} (${at}) ${why}.`, [at]);
    const der = derOf(text);
    if (!der)
      throw refuse(
        'is not a PEM certificate: paste it with its -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines',
      );
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      throw refuse('is not an X.509 certificate that can be read');
    }
    const from = new Date(cert.validFrom);
    const to = new Date(cert.validTo);
    if (to.getTime() <= now.getTime())
      throw refuse(`expired on ${to.toISOString()}: download the IdP's current signing certificate`);
    if (from.getTime() > now.getTime()) throw refuse(`is not valid until ${from.toISOString()}`);
    const weak = keyProblem(cert);
    if (weak) throw refuse(`is refused: ${weak}`);
    out.set(cert.fingerprint256, {
      pem: cert.toString().trim(),
      fingerprint256: cert.fingerprint256,
      validTo: to.toISOString(),
    });
  });
  return [...out.values()];
}
