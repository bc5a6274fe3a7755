/**
 * CDK app entry: `npx cdk synth` / `npx cdk deploy -c senderEmail=… -c publicBaseUrl=…` (a Cognito user pool signs people
 * in), or with `-c jwtIssuer=… -c jwtAudience=…` to use an existing OpenID Connect provider instead.
 * The CLI synthesizes automatically when this program exits.
 */
import { buildApp } from './build.ts';

buildApp();
