/**
 * Starts the whole service locally: DynamoDB Local, SES v2, Step Functions, the HTTP gateway over the handlers, the
 * outbox (the table's stream polled into the outbox handler), a DNS server for domain verification, a SAML 2.0
 * identity provider to sign in through SSO with, and a KMS endpoint holding the SSO bridge's signing key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ENV } from '../functions/shared/env-names.ts';
import { bridgeIssuer } from '../functions/sso/oidc.ts';
import { buildWeb } from '../web/build.ts';
import { jwtAuthorizer } from './authorizer.ts';
import { createTable } from './bootstrap.ts';
import { type RunningDns, startLocalDns } from './dns.ts';
import { type RunningDynamo, startDynamoLocal } from './dynamodb.ts';
import { type RunningGateway, startGateway } from './gateway.ts';
import { LOCAL_AUDIENCE, loadOrCreateSigningKey, type SigningKey, WEB_CLIENT_ID } from './jwt.ts';
import { type RunningKms, startLocalKms } from './kms.ts';
import { type RunningOidc, SSO_CALLBACK_PATH, type SsoFederation, startOidcProvider } from './oidc.ts';
import { type LocalOutbox, startLocalOutbox } from './outbox.ts';
import { assertPortFree, freePort } from './ports.ts';
import { type RunningSamlIdp, startLocalSamlIdp } from './saml-idp.ts';
import { type RunningSes, startSesLocal } from './ses.ts';
import { type LocalSesEvents, startLocalSesEvents } from './ses-events.ts';
import {
  type Faults,
  type RunningSfn,
  startStepFunctionsLocal,
  stateMachineArnFor,
} from './stepfunctions.ts';

export interface LocalStackOptions {
  /** Fixed ports (checked before anything starts); 0 or absent picks free ones. */
  ports?: {
    gateway?: number;
    dynamodb?: number;
    ses?: number;
    sfn?: number;
    oidc?: number;
    dns?: number;
    samlIdp?: number;
    kms?: number;
  };
  tableName?: string;
  /** The identity provider's signing key (RSA, created on first use). */
  keyFile?: string;
  /** An already running DynamoDB Local to reuse (tests share one). */
  dynamoEndpoint?: string;
  sesEndpoint?: string;
  waitMs?: number;
  /** Shorten callback waits (the migration's wait for acceptance) locally. */
  taskTimeoutMs?: number;
  /** The outbox's email rate (EMAIL_SEND_RATE_PER_SECOND); the configured default when absent. */
  emailSendRatePerSecond?: number;
  /** Retries of a failing outbox batch before it goes to the local on-failure destination. */
  outboxRetryAttempts?: number;
  /** The local SES's maximum sending rate (as SES's account quota); unlimited when absent. */
  sesMaxSendRate?: number;
  /** How many sends the local SES takes at once before its rate applies: one second's worth when absent. */
  sesSendBurst?: number;
  /**
   * Keep the data in this folder across restarts: DynamoDB Local's tables and streams, the outbox's stream position
   * the workflow's executions (running ones resume) and the KMS keys. In memory when absent.
   */
  dataDir?: string;
}

export interface LocalStack {
  apiUrl: string;
  /** The web console, served by the gateway at the same origin as the API. */
  consoleUrl: string;
  dynamoEndpoint: string;
  sesEndpoint: string;
  sfnEndpoint: string;
  tableName: string;
  stateMachineArn: string;
  /** The local OpenID Connect provider (`local/oidc.ts`): discovery at `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** Its signing key: only the provider signs with it; tests use it to forge tokens the gateway must refuse. */
  key: SigningKey;
  /** Faults to inject into workflow tasks (tests). */
  faults: Faults;
  /** The stream poller that feeds the outbox handler, as Lambda's event source mapping does in AWS. */
  outbox: LocalOutbox;
  /** SES's bounce and complaint events handed to their handler, as EventBridge does in AWS. */
  sesEvents: LocalSesEvents;
  /** The DNS server the API's domain verification asks (`DNS_RESOLVERS`); `dns.setTxt` publishes a record. */
  dns: RunningDns;
  /** The SAML 2.0 identity provider (`local/saml-idp.ts`): its users, certificate and `respond` for tests. */
  samlIdp: RunningSamlIdp;
  /** The local KMS (`local/kms.ts`) and the SSO bridge's signing key in it (`SSO_SIGNING_KEY_ID`). */
  kms: { endpoint: string; keyId: string };
  stop(): Promise<void>;
}

/** The local KMS key the SSO bridge signs with: found by this description, so `--data` keeps the same one. */
export const SSO_SIGNING_KEY_DESCRIPTION = 'SSO bridge token signing key (local)';

/** Points the AWS SDK at local endpoints through the standard settings; handlers read nothing else. */
export function localAwsEnv(endpoints: { dynamodb: string; ses: string; sfn: string; kms: string }): void {
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  process.env.AWS_ENDPOINT_URL_SESV2 = endpoints.ses;
  process.env.AWS_ENDPOINT_URL_SFN = endpoints.sfn;
  process.env.AWS_ENDPOINT_URL_KMS = endpoints.kms;
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const want = opts.ports ?? {};
  const named: [number | undefined, string, keyof NonNullable<LocalStackOptions['ports']>][] = [
    [want.gateway, 'HTTP API', 'gateway'],
    [opts.dynamoEndpoint ? undefined : want.dynamodb, 'DynamoDB Local', 'dynamodb'],
    [opts.sesEndpoint ? undefined : want.ses, 'SES v2', 'ses'],
    [want.sfn, 'Step Functions', 'sfn'],
    [want.oidc, 'identity provider', 'oidc'],
    [want.dns, 'DNS server', 'dns'],
    [want.samlIdp, 'SAML identity provider', 'samlIdp'],
    [want.kms, 'KMS', 'kms'],
  ];
  for (const [port, what, piece] of named) if (port) await assertPortFree(port, what, piece);

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    let dynamoEndpoint = opts.dynamoEndpoint;
    if (!dynamoEndpoint) {
      const dynamo: RunningDynamo = await startDynamoLocal(
        want.dynamodb || (await freePort()),
        opts.dataDir && join(opts.dataDir, 'dynamodb'),
      );
      stops.push(dynamo.stop);
      dynamoEndpoint = dynamo.endpoint;
    }
    let sesEndpoint = opts.sesEndpoint;
    if (!sesEndpoint) {
      const ses: RunningSes = await startSesLocal(want.ses || (await freePort()), {
        ...(opts.sesMaxSendRate ? { maxSendRate: opts.sesMaxSendRate } : {}),
        ...(opts.sesSendBurst ? { sendBurst: opts.sesSendBurst } : {}),
      });
      stops.push(ses.stop);
      sesEndpoint = ses.endpoint;
    }
    const sfn: RunningSfn = await startStepFunctionsLocal({
      port: want.sfn || 0,
      waitMs: opts.waitMs,
      taskTimeoutMs: opts.taskTimeoutMs,
      ...(opts.dataDir ? { dataDir: join(opts.dataDir, 'executions') } : {}),
    });
    stops.push(sfn.stop);

    const kms: RunningKms = await startLocalKms(want.kms || (await freePort()), {
      ...(opts.dataDir ? { keysFile: join(opts.dataDir, 'kms-keys.json') } : {}),
    });
    stops.push(kms.stop);
    const kmsKeyId = kms.keyFor(SSO_SIGNING_KEY_DESCRIPTION);

    const tableName = opts.tableName ?? 'org-membership';
    await createTable(dynamoEndpoint, tableName);

    // Records kept with the data, or per table (tests run several stacks at once) and gone at stop, as the table is.
    const dns = await startLocalDns({
      port: want.dns || (await freePort()),
      recordsFile: opts.dataDir
        ? join(opts.dataDir, 'dns-records.json')
        : join('.local', 'dns', `${tableName}.json`),
      removeAtStop: !opts.dataDir,
    });
    stops.push(dns.stop);
    process.env[ENV.dnsResolvers] = dns.resolver;

    // Its users and key are kept the same way: with the data (an organization configured with its certificate keeps
    // working after a restart), or per table and gone at stop.
    const samlIdp = await startLocalSamlIdp({
      port: want.samlIdp || 0,
      usersFile: opts.dataDir
        ? join(opts.dataDir, 'saml-idp-users.json')
        : join('.local', 'saml-idp', `${tableName}.json`),
      removeAtStop: !opts.dataDir,
      ...(opts.dataDir ? { keyFile: join(opts.dataDir, 'saml-idp-key.json') } : {}),
    });
    stops.push(samlIdp.stop);

    const gatewayPort = want.gateway || (await freePort());
    const apiUrl = `http://127.0.0.1:${gatewayPort}`;
    localAwsEnv({ dynamodb: dynamoEndpoint, ses: sesEndpoint, sfn: sfn.endpoint, kms: kms.endpoint });
    process.env[ENV.tableName] = tableName;
    process.env[ENV.ssoSigningKeyId] = kmsKeyId;
    process.env[ENV.publicBaseUrl] = apiUrl;
    process.env[ENV.senderEmail] ??= 'no-reply@org-membership.local';
    // Sends name a configuration set, as in AWS: SES publishes bounce and complaint events only for those.
    process.env[ENV.sesConfigurationSet] ??= 'org-membership-local';
    process.env[ENV.stateMachineArn] = stateMachineArnFor('migration');
    if (opts.emailSendRatePerSecond)
      process.env[ENV.emailSendRatePerSecond] = String(opts.emailSendRatePerSecond);

    const key = await loadOrCreateSigningKey(opts.keyFile);
    // The provider federates to the SSO bridge (the gateway's /api/v1/sso) as the stack's Cognito does in AWS: one
    // confidential client, its secret made here, its hash and redirect URI registered with the bridge.
    const sso: SsoFederation = {
      issuer: bridgeIssuer(apiUrl),
      clientId: 'local-oidc-provider',
      clientSecret: randomBytes(32).toString('base64url'),
    };
    const oidc: RunningOidc = await startOidcProvider({
      port: want.oidc || 0,
      key,
      appOrigin: apiUrl,
      sso: () => sso,
    });
    stops.push(oidc.stop);
    process.env[ENV.ssoClients] = JSON.stringify([
      {
        client_id: sso.clientId,
        client_secret_sha256: createHash('sha256').update(sso.clientSecret).digest('hex'),
        redirect_uris: [`${oidc.issuer}${SSO_CALLBACK_PATH}`],
      },
    ]);
    process.env[ENV.oidcIssuer] = oidc.issuer;
    process.env[ENV.oidcClientId] = WEB_CLIENT_ID;
    await buildWeb();
    const gateway: RunningGateway = await startGateway({
      port: gatewayPort,
      // As the stack's JWT authorizer: this issuer, the API (the resource indicator) as audience.
      authorize: jwtAuthorizer({ issuer: oidc.issuer, audience: [LOCAL_AUDIENCE] }),
      // The console signs in with the same provider and client as the invitation page.
      console: () => ({ issuer: oidc.issuer, clientId: WEB_CLIENT_ID }),
    });
    stops.push(gateway.stop);
    const outbox = await startLocalOutbox({
      endpoint: dynamoEndpoint,
      tableName,
      ...(opts.outboxRetryAttempts !== undefined ? { retryAttempts: opts.outboxRetryAttempts } : {}),
      ...(opts.dataDir ? { checkpointFile: join(opts.dataDir, 'outbox-checkpoints.json') } : {}),
    });
    stops.push(outbox.stop);
    const sesEvents = await startLocalSesEvents({ sesEndpoint });
    stops.push(sesEvents.stop);
    sfn.resume(); // executions running on this data before a restart: their tasks can run now

    return {
      apiUrl,
      consoleUrl: `${apiUrl}/console/`,
      dynamoEndpoint,
      sesEndpoint,
      sfnEndpoint: sfn.endpoint,
      tableName,
      stateMachineArn: stateMachineArnFor('migration'),
      issuer: oidc.issuer,
      key,
      faults: sfn.faults,
      outbox,
      sesEvents,
      dns,
      samlIdp,
      kms: { endpoint: kms.endpoint, keyId: kmsKeyId },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
