/**
 * Self-signed X.509 certificates for IdP tests, made by the `openssl` CLI (Node can make keys but not certificates;
 * `openssl ca -selfsign` is the 3.0-compatible way to choose both validity dates, so expired ones can be made too).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DAY = 86_400_000;
const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

export interface CertificateOptions {
  /** `rsa:2048` (default), `rsa:1024`, `ec:P-256`, `ec:secp256k1`… */
  key?: string;
  notBefore?: Date;
  notAfter?: Date;
  subject?: string;
}

export function selfSignedCertificate(opts: CertificateOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'idp-cert-'));
  try {
    const key = opts.key ?? 'rsa:2048';
    const newkey = key.startsWith('ec:')
      ? ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${key.slice(3)}`]
      : ['-newkey', key];
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run([
      'req',
      '-new',
      ...newkey,
      '-nodes',
      '-keyout',
      'k.pem',
      '-subj',
      `/CN=${opts.subject ?? 'test-idp'}`,
      '-out',
      'r.csr',
    ]);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '01\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      '[ca]\ndefault_ca = c\n[c]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n',
    );
    const now = Date.now();
    run([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'k.pem',
      '-in',
      'r.csr',
      '-notext',
      '-out',
      'c.pem',
      '-startdate',
      stamp(opts.notBefore ?? new Date(now - DAY)),
      '-enddate',
      stamp(opts.notAfter ?? new Date(now + 365 * DAY)),
    ]);
    return readFileSync(join(dir, 'c.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
