import { Aws, Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

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
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    const domain = this.userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });
    const hostedUi = domain.baseUrl();
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
