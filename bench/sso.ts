/**
 * 1c. SSO sign-in (docs/sso.md, "Signing in through the IdP"): a first sign-in (the person joins) and a repeat sign-in
 * (a member; the mapped roles re-applied), each the whole chain a browser walks (local/sso-walk.ts): the local OpenID
 * Connect provider, the bridge's authorize, the local SAML IdP, the ACS, back through the provider, which asks the
 * bridge's token and userinfo. Counted per sign-in: the bridge's requests (each an API Gateway request and a Lambda
 * invocation), their DynamoDB round trips and units, their handler time (the gateway's Server-Timing, summed), and KMS
 * Sign calls. Then a month of SSO members, with Cognito's federated MAU for a stack with its own user pool.
 */
import { FUNCTION_MEMORY_MB } from '../infra/constructs/functions.ts';
import { ssoWalk } from '../local/sso-walk.ts';
import { type Bench, dynamoOnly, ms, pct } from './context.ts';
import { costOf, NO_USAGE, type Usage } from './cost.ts';
import { PRICES } from './prices.ts';
import { dollars } from './pricing.ts';
import { indexWriteUnits, record, writeUnits } from './record.ts';
import { LOG_BYTES } from './workload.ts';

export const SSO_FIRST = 'SSO sign-in, first (joins)';
export const SSO_REPEAT = 'SSO sign-in, repeat (member, mapped roles re-applied)';

/** The month priced: people who sign in through their organization's IdP, and how often. */
export const SSO_MONTH = { people: 2000, signInsEach: 22 } as const;

interface BridgeRequest {
  route: string;
  handlerMs: number;
}

/**
 * The bridge's requests seen while `act` runs: every fetch to the gateway's `/api/v1/sso/` and `/api/v1/saml/`; and
 * the access token the bridge's token endpoint answered, for `userinfo`.
 */
async function watchBridge(gateway: string, act: (accessToken: () => string) => Promise<void>) {
  const seen: BridgeRequest[] = [];
  let accessToken = '';
  const real = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const res = await real(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const path = /^\/api\/v1\/(sso|saml)\/(.*)$/.exec(url.pathname);
    if (url.origin === gateway && path) {
      seen.push({
        route: path[1] === 'saml' ? path[2]!.split('/')[0]! : path[2]!,
        handlerMs: Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? 0),
      });
      if (path[2] === 'token' && res.ok)
        accessToken = ((await res.clone().json()) as { access_token?: string }).access_token ?? '';
    }
    return res;
  };
  try {
    await act(() => accessToken);
    return seen;
  } finally {
    globalThis.fetch = real;
  }
}

/** Prints the SSO sign-in table; sets both rows' usage in `b.usageOf` for the cost table. */
export async function benchSso(b: Bench): Promise<void> {
  const { call, run, stack } = b;
  const n = b.smoke ? 2 : 50;
  const admin = `sso-admin-${run}@example.com`;
  const domain = `sso-${run}.test`;
  const orgId = (await call('POST', '/api/v1/organizations', admin, { name: 'SSO bench' })).body.id as string;
  const domains = `/api/v1/organizations/${orgId}/domains`;
  const claim = { domain_claim_request: domain };
  const code = await call('POST', `${domains}/_generate_verification_code`, admin, claim);
  stack.dns.setTxt(`_elastic-cloud-verification.${domain}`, [code.body.verification]);
  await call('POST', `${domains}/_verify`, admin, claim);
  await call('PUT', `/api/v1/organizations/${orgId}/idp`, admin, {
    enabled: true,
    login_identifier_prefix: `bench${run}`,
    saml_idp: {
      issuer: stack.samlIdp.issuer,
      sso_url: stack.samlIdp.ssoUrl,
      public_certificate: [stack.samlIdp.certificatePem],
    },
  });
  await call(
    'POST',
    `/api/v1/organizations/${orgId}/role_mappings`,
    admin,
    {
      mappings: [
        {
          name: 'engineers',
          enabled: true,
          rule: { any: [{ group: 'engineers' }] },
          role_assignments: {
            deployment: [{ role_id: 'deployment-editor', organization_id: orgId, all: true }],
          },
        },
      ],
    },
    201,
  );
  const person = (i: number | 'warm') => {
    const email = `sso-${i}@${domain}`;
    stack.samlIdp.users.set({ email, groups: ['engineers'], name: `SSO ${i}` });
    return email;
  };
  const gateway = new URL(stack.apiUrl).origin;
  const signIn = async (email: string) => {
    const r = await ssoWalk(stack, email);
    if (!('token' in r))
      throw new Error(`SSO sign-in ended on a page: ${r.page.status} ${r.page.text.slice(0, 300)}`);
  };
  // The whole sign-in as in AWS: the walk, then the bridge's userinfo with the access token its token endpoint gave.
  // Cognito asks userinfo of an OIDC provider; the local provider takes the claims from the id token and does not, so
  // the bench asks it as Cognito would.
  const signInAsInAws = (email: string) =>
    watchBridge(gateway, async (accessToken) => {
      await signIn(email);
      const res = await fetch(`${stack.apiUrl}/api/v1/sso/userinfo`, {
        headers: { authorization: `Bearer ${accessToken()}` },
      });
      if (!res.ok) throw new Error(`userinfo: ${res.status} ${await res.text()}`);
    });
  // One sign-in first, unmeasured: the provider's discovery, the JWKS and the KMS public key are read once per process.
  await signInAsInAws(person('warm'));

  console.log(
    `\n| SSO sign-in (n=${n}, the whole chain) | bridge requests (API Gateway + Lambda) | DynamoDB round trips | read units | write units | KMS Sign | handler p50 (sum of its requests) | handler p95 | chain p50 (wall) |\n|---|---|---|---|---|---|---|---|---|`,
  );
  for (const label of [SSO_FIRST, SSO_REPEAT]) {
    let trips = 0;
    let reads = 0;
    let writes = 0;
    let signs = 0;
    const routes = new Set<string>();
    let requests = 0;
    const handler: number[] = [];
    const wall: number[] = [];
    const perRoute = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const email = person(i);
      const t = performance.now();
      const { result: bridge, calls, capacity } = await record(() => signInAsInAws(email));
      wall.push(performance.now() - t);
      const dynamoCalls = dynamoOnly(calls);
      if (dynamoCalls.some((c) => c.command.constructor.name.startsWith('Scan'))) b.scans.push(label);
      trips = Math.max(trips, dynamoCalls.length);
      reads = Math.max(reads, capacity);
      writes = Math.max(writes, writeUnits(dynamoCalls) + (await indexWriteUnits(dynamoCalls)));
      signs = Math.max(
        signs,
        calls.filter((c) => c.client === 'kms' && c.command.constructor.name === 'SignCommand').length,
      );
      requests = Math.max(requests, bridge.length);
      for (const r of bridge) {
        routes.add(r.route);
        perRoute.set(r.route, [...(perRoute.get(r.route) ?? []), r.handlerMs]);
      }
      handler.push(bridge.reduce((s, r) => s + r.handlerMs, 0));
    }
    // Lambda billed per request at each route's p50.
    const lambdaMs = [...perRoute.values()].map((xs) => pct(xs, 50));
    const usage: Usage = {
      ...NO_USAGE,
      readUnits: reads,
      writeUnits: writes,
      lambdaMs,
      memoryMb: FUNCTION_MEMORY_MB,
      apiRequests: requests,
      logBytes: requests * (LOG_BYTES.perInvocation + LOG_BYTES.perApiRequest),
      kmsSigns: signs,
    };
    b.usageOf.set(label, usage);
    console.log(
      `| ${label} | ${requests} (${[...routes].join(', ')}) | ${trips} | ${reads} | ${writes} | ${signs} | ${ms(pct(handler, 50))} | ${ms(pct(handler, 95))} | ${ms(pct(wall, 50))} |`,
    );
  }
  console.log(
    '\nPer sign-in, after one unmeasured sign-in (the JWKS and the KMS public key are read once per process). Units as in the operations table, over all the bridge requests of one sign-in (the most one sign-in used); handler time the sum of their Server-Timing. userinfo asked as Cognito asks it (the local provider does not). Not counted: the local OpenID Connect provider (Cognito in AWS) and the SAML IdP, which are not ours.',
  );
}

/** A month of SSO members signing in (repeat sign-ins), the signing key, and Cognito's federated MAU. */
export function priceSsoMonth(b: Bench): void {
  const usage = b.usageOf.get(SSO_REPEAT);
  if (!usage) return;
  const { people, signInsEach } = SSO_MONTH;
  const signIns = people * signInsEach;
  const each = costOf(usage).total;
  const lines = [
    {
      label: `${people.toLocaleString('en-US')} SSO members × ${signInsEach} sign-ins (one per workday), repeat sign-ins through the bridge`,
      count: signIns.toLocaleString('en-US'),
      each: dollars(each),
      cost: signIns * each,
    },
    {
      label: "the bridge's KMS signing key (fixed; also counted in the stack's month above)",
      count: '–',
      each: '–',
      cost: PRICES.kms.perKeyMonth,
    },
  ];
  const bridge = lines.reduce((s, l) => s + l.cost, 0);
  const cognito = people * PRICES.cognito.perFederatedMau;
  console.log(
    `\n| a month of SSO members (${people.toLocaleString('en-US')} people, ${signInsEach} sign-ins each) | per month | each | cost |\n|---|---|---|---|`,
  );
  for (const l of lines) console.log(`| ${l.label} | ${l.count} | ${l.each} | ${dollars(l.cost)} |`);
  console.log(`| **the bridge (this design)** | | | **${dollars(bridge)}** |`);
  console.log(
    `| Cognito federated MAU — **only a stack with its own user pool** (an external issuer has none): ${people.toLocaleString('en-US')} MAU × ${dollars(PRICES.cognito.perFederatedMau)} | ${people.toLocaleString('en-US')} | ${dollars(PRICES.cognito.perFederatedMau)} | ${dollars(cognito)} |`,
  );
  console.log(`| **with the stack's own user pool** | | | **${dollars(bridge + cognito)}** |`);
}
