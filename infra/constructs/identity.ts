import { Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  OAuthScope,
  OidcAttributeRequestMethod,
  ProviderAttribute,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolIdentityProviderOidc,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SSO_PROVIDER_NAME } from '../../functions/auth/handlers/pre-token.ts';
import { discovery } from '../../functions/sso/clients.ts';

/** The pool's client id at the SSO bridge (an entry of the bridge's `SSO_CLIENTS`). */
export const SSO_BRIDGE_CLIENT_ID = 'cognito';

/** Who signs people in, as the API's JWT authorizer and the pages need it. */
export interface SignIn {
  issuer: string;
  /** What the authorizer accepts in `aud` (or, for Cognito's access tokens, `client_id`). */
  audience: string[];
  /** The public client pages sign in with (authorization code + PKCE). */
  clientId: string;
  /** Cognito's hosted UI endpoints; undefined for another provider (the page reads its discovery document). */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

export interface IdentityProps {
  /** Where the pages that sign in live: `<url>/auth/callback` is the redirect URI, `<url>/console/` the console's. */
  appUrls: string[];
  /** Globally unique within the region: the hosted UI's `https://<prefix>.auth.<region>.amazoncognito.com`. */
  domainPrefix: string;
  /** The stack's public base URL: the SSO bridge's issuer is `<url>/api/v1/sso`. */
  publicBaseUrl: string;
  retain: boolean;
}

/**
 * The stack's own identity provider, when no issuer is given: a Cognito user pool where people sign up and in with
 * their email address (verified before use), a strong password policy and threat protection (Plus feature plan),
 * one public app client (authorization code with PKCE, no secret) and the hosted UI domain.
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly signIn: SignIn;
  /** The bridge's `SSO_CLIENTS`: this pool, federating to it as the OpenID Connect provider `sso`. */
  readonly ssoClients: string;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Users', {
      // An invitee may not have an account yet: they create one from the sign-in page.
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      // Set from the SSO bridge's claims at every sign-in through it (the `sso` provider's attribute mapping); the
      // pre-token trigger copies them into access tokens only for the bridge's federated users.
      customAttributes: {
        sso_org: new StringAttribute({ mutable: true, maxLen: 256 }),
        sso_sub: new StringAttribute({ mutable: true, maxLen: 256 }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is offered (TOTP), not required: invitees arrive from an email link and must be able to sign up in one go; threat protection (Plus plan, full function) blocks risky sign-ins and asks for a second factor when it sees one.',
    });

    const domain = this.userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });
    const hostedUi = domain.baseUrl();

    // The SSO bridge (`functions/sso/`): ONE OpenID Connect provider for every organization's SAML IdP, so the pool's
    // quota on identity providers does not grow with the organizations. Explicit endpoints: Cognito reads no discovery
    // document at deploy time (the bridge may not answer yet when the stack is created).
    const bridge = discovery(props.publicBaseUrl.replace(/\/+$/, ''));
    const bridgeSecret = new Secret(this, 'SsoBridgeClientSecret', {
      description: "The user pool's client secret at the SSO bridge (OpenID Connect client `cognito`)",
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(bridgeSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'No automatic rotation: the secret is shared by the user pool (its identity provider) and the SSO bridge (its environment), both set by CloudFormation; rotating is a redeploy after changing the secret (docs/deploying.md, Single sign-on in AWS).',
    });
    const sso = new UserPoolIdentityProviderOidc(this, 'Sso', {
      userPool: this.userPool,
      name: SSO_PROVIDER_NAME,
      clientId: SSO_BRIDGE_CLIENT_ID,
      // A dynamic reference (`{{resolve:secretsmanager:…}}`): CloudFormation resolves it when it calls Cognito; the
      // secret itself is never in the template, the synthesized assets or the stack's parameters.
      clientSecret: bridgeSecret.secretValue.unsafeUnwrap(),
      issuerUrl: bridge.issuer,
      scopes: ['openid', 'email', 'profile'],
      attributeRequestMethod: OidcAttributeRequestMethod.GET,
      endpoints: {
        authorization: bridge.authorization_endpoint,
        token: bridge.token_endpoint,
        userInfo: bridge.userinfo_endpoint,
        jwksUri: bridge.jwks_uri,
      },
      attributeMapping: {
        email: ProviderAttribute.other('email'),
        emailVerified: ProviderAttribute.other('email_verified'),
        fullname: ProviderAttribute.other('name'),
        custom: {
          'custom:sso_org': ProviderAttribute.other('sso_org'),
          'custom:sso_sub': ProviderAttribute.other('sub'),
        },
      },
    });
    const idpResponse = `${hostedUi}/oauth2/idpresponse`;
    this.ssoClients = Stack.of(this).toJsonString([
      {
        client_id: SSO_BRIDGE_CLIENT_ID,
        // Compared by its hash (`functions/sso/clients.ts`): its SHA-256 cannot be computed at deploy time, and the
        // bridge reads no Secrets Manager at run time (@aws-sdk/client-secrets-manager is not a dependency).
        client_secret: bridgeSecret.secretValue.unsafeUnwrap(),
        redirect_uris: [idpResponse],
      },
    ]);

    const callbackUrls = [...new Set(props.appUrls.flatMap((u) => [`${u}/auth/callback`, `${u}/console/`]))];
    this.client = this.userPool.addClient('Web', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls,
        logoutUrls: [...new Set(props.appUrls.map((u) => `${u}/console/`))],
      },
      supportedIdentityProviders: [
        UserPoolClientIdentityProvider.COGNITO,
        UserPoolClientIdentityProvider.custom(SSO_PROVIDER_NAME),
      ],
      // Cognito writes the mapped attributes at every federated sign-in with the app client's write permission, and
      // fails the sign-in when the client may not write one: the custom attributes must be writable here. A user with
      // a password could therefore set them on their own account (UpdateUserAttributes with an SRP access token): the
      // pre-token trigger puts them into a token only for the `sso` provider's own federated users (`identities`,
      // which nobody writes), so writing them gains nothing.
      writeAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('sso_org', 'sso_sub'),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    this.client.node.addDependency(sso);
    this.signIn = {
      issuer: this.userPool.userPoolProviderUrl,
      // Cognito access tokens carry the app client in `client_id` and have no `aud`.
      audience: [this.client.userPoolClientId],
      clientId: this.client.userPoolClientId,
      authorizationEndpoint: `${hostedUi}/oauth2/authorize`,
      tokenEndpoint: `${hostedUi}/oauth2/token`,
    };
  }

  /** The trigger that copies email, email_verified and name into access tokens (`functions/auth/pre-token.ts`). */
  addAccessTokenClaims(fn: IFunction): void {
    // Version 2 of the event is the one that may change access tokens.
    this.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, fn, LambdaVersion.V2_0);
  }
}

/** A default hosted UI prefix that is unique per account and stage: `org-membership-<stage>-<account>`. */
export const defaultDomainPrefix = (stage: string): string =>
  Fn.join('-', ['org-membership', stage.toLowerCase().replace(/[^a-z0-9-]/g, '-'), Aws.ACCOUNT_ID]);
