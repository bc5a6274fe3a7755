/**
 * A sign-in through an organization's IdP, at our ACS: the SAML Response verified (`assertion.ts`), then one
 * transaction that decides everything it leads to, so a retried or replayed post changes nothing twice:
 *
 * - the sign-in request is consumed (deleted on the condition that it exists: each AuthnRequest is answered once);
 * - the assertion id is recorded (put if absent, TTL at its expiry: each assertion is accepted once);
 * - the person's SSO identity (a hash of the IdP's issuer and their NameID, never the email alone) is created or
 *   touched, and with it the user id they act as:
 *   - known identity: the user it was linked to;
 *   - new identity whose address belongs to a member already: linked to that member (their membership, roles and
 *     deployments stay theirs). Safe only because the address is in a domain this organization has proved it owns
 *     (held by a condition on the domain's owner item) and the assertion is signed by this organization's IdP;
 *   - otherwise a new user id derived from the identity;
 * - the membership: a member gets the roles the role mappings give (replacing theirs, as Elastic does; never the
 *   organization's last organization-admin demoted); someone in no organization joins with them (the one-organization
 *   lock, as an invitation's accept takes it); someone in another organization is refused with the move offered;
 * - the bridge's authorization code, whose claims the token endpoint answers (`oidc.ts`).
 *
 * The address must be in one of the organization's verified domains: an IdP vouches only for its own company's
 * addresses, and nothing else is let in or linked.
 */
import { createHash, randomBytes } from 'node:crypto';
import { serviceProvider } from '../idp/metadata.ts';
import { domainOwned, emailHeldBy, heldWith, joinItems } from '../organizations/membership.ts';
import { mappedRoles } from '../role-mappings/evaluate.ts';
import { loadRoleMappings } from '../role-mappings/guard.ts';
import {
  batchGet,
  conditionsFailed,
  countOnOrganization,
  keyId,
  type TransactItems,
  transact,
} from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type {
  DomainItem,
  MembershipItem,
  OrganizationItem,
  SsoClaims,
  SsoCodeItem,
  SsoIdentityItem,
  SsoRequestItem,
  UserItem,
} from '../shared/domain.ts';
import { canonicalEmail } from '../shared/email.ts';
import { log } from '../shared/log.ts';
import { isLostRace, retryLostRace } from '../shared/races.ts';
import { isOrgAdmin } from '../shared/roles.ts';
import { ENTITY, keys, TABLE } from '../shared/table.ts';
import { SamlRefused, verifySamlResponse } from './assertion.ts';
import { identityWrite } from './identity.ts';
import { rolesFromMappings } from './mapped-roles.ts';
import { addressTaken, belongsElsewhere, busy, moving, SsoRefused, staleRequest } from './refusals.ts';

export { SsoRefused } from './refusals.ts';

/** How long an authorization code of the bridge may wait for its token request. */
export const CODE_TTL_SECONDS = 120;
const MAX_ATTEMPTS = 5;

export interface SignedIn {
  /** Where the browser goes on: the OpenID Connect client's redirect URI with the code and its state. */
  redirectTo: string;
  userId: string;
  outcome: 'joined' | 'linked' | 'member';
}

export const hashOf = (value: string): string => createHash('sha256').update(value).digest('base64url');
/** The identity of a person at an IdP: its issuer and their NameID, hashed (no separator can be forged into it). */
export const ssoSubject = (issuer: string, nameId: string): string =>
  hashOf(`${issuer.length}:${issuer}${nameId.length}:${nameId}`);
/** The user id of someone who joined through SSO: derived from the identity, so two racing first sign-ins agree. */
export const ssoUserId = (orgId: string, subject: string): string =>
  `sso-${hashOf(`${orgId}/${subject}`).slice(0, 32)}`;

export async function acceptSamlResponse(
  deps: Deps,
  input: { orgId: string; samlResponse: string; relayState: string },
): Promise<SignedIn> {
  const { orgId } = input;
  const requestKey = keys.ssoRequest(input.relayState);
  const orgKey = keys.organization(orgId);
  const found = await batchGet(deps.db, deps.table, [requestKey, orgKey]);
  const request = found.get(keyId(requestKey)) as SsoRequestItem | undefined;
  const org = found.get(keyId(orgKey)) as OrganizationItem | undefined;
  const now = deps.now();
  if (!request || request.organization_id !== orgId || request.ttl * 1000 <= now.getTime())
    throw staleRequest();
  if (org?.status !== 'open' || !org.idp?.enabled) {
    throw new SsoRefused(
      404,
      'Single sign-on is off',
      'This organization does not sign people in through an identity provider (any more). Ask its administrators.',
    );
  }

  const sp = serviceProvider(deps.publicBaseUrl, orgId);
  let identity: Awaited<ReturnType<typeof verifySamlResponse>>;
  try {
    identity = await verifySamlResponse({
      samlResponse: input.samlResponse,
      idp: { issuer: org.idp.issuer, certificates: org.idp.certificates },
      sp: { entityId: sp.entityId, acsUrl: sp.acs },
      expectedInResponseTo: request.id,
      now,
    });
  } catch (e) {
    if (!(e instanceof SamlRefused)) throw e;
    log('warn', 'saml response refused', { organizationId: orgId, reason: e.reason, detail: e.message });
    throw new SsoRefused(
      403,
      'Sign-in refused',
      `Your identity provider's answer was not accepted: ${e.message} Ask your administrator to check the single sign-on settings.`,
    );
  }

  const email =
    canonicalEmail(identity.email ?? (identity.nameId.includes('@') ? identity.nameId : '')) ?? '';
  if (!email) {
    throw new SsoRefused(
      403,
      'No email address',
      'Your identity provider did not send an email address this service accepts. Ask your administrator to send the `email` attribute.',
    );
  }
  const domain = email.slice(email.lastIndexOf('@') + 1); // canonical: ASCII, lower case, as claims store it
  const subject = ssoSubject(org.idp.issuer, identity.nameId);
  return retryLostRace({ attempts: MAX_ATTEMPTS, exhausted: busy }, async () => {
    const identityKey = keys.ssoIdentity(orgId, subject);
    const emailKey = keys.memberEmail(orgId, email);
    const domainKey = keys.domain(domain);
    const got = await batchGet(deps.db, deps.table, [identityKey, emailKey, domainKey, orgKey]);
    const known = got.get(keyId(identityKey)) as SsoIdentityItem | undefined;
    const memberByEmail = got.get(keyId(emailKey)) as { user_id: string } | undefined;
    const owner = got.get(keyId(domainKey)) as DomainItem | undefined;
    const current = got.get(keyId(orgKey)) as OrganizationItem | undefined;
    if (current?.status !== 'open') throw staleRequest();
    // The mappings as of the organization read: every mapping change bumps its `sso_version`, which the write holds,
    // so roles are never applied from a set of mappings an admin replaced meanwhile.
    const roles = mappedRoles(await loadRoleMappings(deps, orgId), { email, groups: identity.groups });
    const settings =
      current.sso_version === undefined
        ? { expression: 'attribute_not_exists(sso_version)', values: {} }
        : { expression: 'sso_version = :ssoVersion', values: { ':ssoVersion': current.sso_version } };
    if (owner?.organization_id !== orgId) {
      throw new SsoRefused(
        403,
        'Address not in a verified domain',
        `${email} is not in a domain ${current.name} has verified, so its identity provider cannot sign you in to it. Ask your administrator to claim ${domain}.`,
      );
    }
    const userId = known?.user_id ?? memberByEmail?.user_id ?? ssoUserId(orgId, subject);
    const linked = !known && memberByEmail !== undefined;

    const userKey = keys.user(userId);
    const memberKey = keys.membership(orgId, userId);
    const mine = await batchGet(deps.db, deps.table, [userKey, memberKey]);
    const user = mine.get(keyId(userKey)) as UserItem | undefined;
    const membership = mine.get(keyId(memberKey)) as MembershipItem | undefined;
    if (user?.organization_id && user.organization_id !== orgId)
      throw await belongsElsewhere(deps, user, current);

    const at = now.toISOString();
    const code = randomBytes(32).toString('base64url');
    const claims: SsoClaims = {
      sub: userId,
      email,
      email_verified: true,
      ...(membership?.name ? { name: membership.name } : {}),
      sso_org: orgId,
      groups: identity.groups,
    };
    const items: TransactItems = {
      request: {
        Delete: { TableName: deps.table, Key: requestKey, ConditionExpression: 'attribute_exists(pk)' },
      },
      assertion: {
        Put: {
          TableName: deps.table,
          Item: {
            ...keys.samlAssertion(orgId, identity.assertionId),
            entity: ENTITY.samlAssertion,
            accepted_at: at,
            [TABLE.ttlAttribute]: Math.ceil(identity.notOnOrAfter.getTime() / 1000),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      code: {
        Put: {
          TableName: deps.table,
          Item: {
            ...keys.ssoCode(hashOf(code)),
            ...({
              entity: ENTITY.ssoCode,
              client_id: request.client_id,
              redirect_uri: request.redirect_uri,
              ...(request.nonce ? { nonce: request.nonce } : {}),
              ...(request.code_challenge ? { code_challenge: request.code_challenge } : {}),
              claims,
              expires_at: new Date(now.getTime() + CODE_TTL_SECONDS * 1000).toISOString(),
              ttl: Math.ceil(now.getTime() / 1000) + CODE_TTL_SECONDS,
            } satisfies SsoCodeItem),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      domain: domainOwned(deps, domain, orgId),
      identity: identityWrite(deps, { orgId, subject, userId, email, at, known: !!known, linked }),
    };
    if (linked) {
      // The address still belongs to that member when the link commits.
      items.memberEmail = emailHeldBy(deps, orgId, email, userId);
    }

    let outcome: SignedIn['outcome'];
    if (membership) {
      outcome = linked ? 'linked' : 'member';
      Object.assign(
        items,
        rolesFromMappings(deps, current, membership, roles, at, 'sso_signed_in_at', settings),
      );
    } else if (user?.organization_id === orgId) {
      // The lock says member, the membership is not there: read mid-change (a BatchGet is no snapshot). Read again.
      throw Object.assign(new Error('read between a membership and its lock'), {
        name: 'ConditionalCheckFailedException',
      });
    } else {
      outcome = 'joined';
      if ((user as { active_migration_id?: string } | undefined)?.active_migration_id) throw moving();
      const caller = { userId, email, emailVerified: true };
      const { memberEmail, userLock, ...join } = joinItems(deps, caller, orgId, roles, at, undefined, 'sso');
      // Not while a move of theirs runs: its own invitation is how it ends (held: the move sets the field first).
      userLock.Update.ConditionExpression += ' AND attribute_not_exists(active_migration_id)';
      Object.assign(items, join, {
        userLock,
        // Another account holding this address in the organization (a member not linked) keeps it.
        memberEmail,
        organizationCount: heldWith(
          countOnOrganization(deps.table, orgKey, {
            member_count: 1,
            admin_count: isOrgAdmin(roles) ? 1 : 0,
          }),
          settings,
        ),
      });
    }

    if (!items.organizationCount && !items.adminCount) {
      items.settings = {
        ConditionCheck: {
          TableName: deps.table,
          Key: orgKey,
          ConditionExpression: `#status = :open AND ${settings.expression}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':open': 'open', ...settings.values },
        },
      };
    }
    try {
      await transact(deps.db, items);
    } catch (e) {
      if (!isLostRace(e)) throw e;
      const failed = conditionsFailed(e);
      if (failed?.has('request')) throw staleRequest();
      if (failed?.has('assertion')) {
        throw new SsoRefused(
          403,
          'Sign-in already used',
          'This answer from your identity provider was already used to sign in. Start the sign-in again.',
        );
      }
      if (failed?.has('memberEmail') && !linked && !membership) throw addressTaken(current.name);
      throw e; // the identity, the membership or the organization changed meanwhile: read again
    }
    log('info', 'sso sign-in', { organizationId: orgId, outcome });
    const back = new URL(request.redirect_uri);
    back.searchParams.set('code', code);
    if (request.state !== undefined) back.searchParams.set('state', request.state);
    return { redirectTo: back.toString(), userId, outcome };
  });
}
