/** The local gateway's JWT check: the same module the AWS Lambda authorizer option uses (`functions/auth/jwt.ts`). */
export { type JwtAuthorizer, type JwtAuthorizerConfig, jwtAuthorizer } from '../functions/auth/jwt.ts';
