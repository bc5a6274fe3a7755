/**
 * What `npm start` bound, written to `.local/endpoints.json` once everything is up and removed when it stops, so the
 * other commands (`executions`, `token`, `check-invariants`) find the running stack whatever ports it was given.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const ENDPOINTS_FILE = '.local/endpoints.json';

export interface LocalEndpoints {
  /** Base URL of the routes, e.g. `http://127.0.0.1:3000/api/v1`. */
  api: string;
  /** Where the gateway listens (also the public base URL of emailed links). */
  gateway: string;
  region: string;
  dynamodb: string;
  tableName: string;
  ses: string;
  /** Every email sent, as JSON. */
  mailbox: string;
  stepFunctions: string;
  stateMachineArn: string;
  /** The OpenID Connect provider that signs people in; `npm run token` asks it for tokens. */
  issuer: string;
  /** The DNS server domain verification asks (`host:port`) and the file of its TXT records (`npm run dns`). */
  dns?: string;
  dnsRecords?: string;
  /** The local SAML 2.0 identity provider (`npm run saml-idp` edits its users file). */
  samlIdp?: {
    /** Its users page. */
    url: string;
    /** Its entity id, the Issuer of its responses. */
    issuer: string;
    /** Single sign-on (HTTP-Redirect and HTTP-POST bindings). */
    ssoUrl: string;
    /** Its metadata document, with the signing certificate. */
    metadata: string;
    /** The signing certificate (PEM), to configure an organization's IdP with. */
    certificate: string;
    usersFile: string;
  };
  /** The local KMS and the SSO bridge's signing key in it (`SSO_SIGNING_KEY_ID`). */
  kms?: string;
  ssoSigningKeyId?: string;
  /** The `npm start` process, to tell a running stack from a file left by one that was killed. */
  pid: number;
  startedAt: string;
}

export function writeEndpoints(endpoints: LocalEndpoints, file = ENDPOINTS_FILE): void {
  writeFileSync(file, `${JSON.stringify(endpoints, null, 2)}\n`);
}

/** Removes the file if this process wrote it (another `npm start` may have written it since). */
export function removeEndpoints(file = ENDPOINTS_FILE): void {
  if (readEndpoints(file)?.pid === process.pid) rmSync(file, { force: true });
}

/** The recorded endpoints and whether their `npm start` still runs; undefined when there is no file. */
export function readEndpoints(file = ENDPOINTS_FILE): (LocalEndpoints & { running: boolean }) | undefined {
  if (!existsSync(file)) return undefined;
  const endpoints = JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
  return { ...endpoints, running: isAlive(endpoints.pid) };
}

/** The running stack's endpoints, or a sentence saying why there are none (for the caller to print). */
export function runningEndpoints(file = ENDPOINTS_FILE): LocalEndpoints | string {
  const found = readEndpoints(file);
  if (!found)
    return `no local stack is running (${resolve(file)} does not exist); start one with \`npm start\``;
  if (!found.running)
    return `the \`npm start\` that wrote ${resolve(file)} (pid ${found.pid}, started ${found.startedAt}) is no longer running; start it again with \`npm start\``;
  const { running: _running, ...endpoints } = found;
  return endpoints;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
