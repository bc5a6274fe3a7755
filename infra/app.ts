/**
 * CDK app entry: `npx cdk synth` / `npx cdk deploy -c senderEmail=… -c publicBaseUrl=… -c jwtIssuer=… -c jwtAudience=…`.
 * The CLI synthesizes automatically when this program exits.
 */
import { buildApp } from './build.ts';

buildApp();
