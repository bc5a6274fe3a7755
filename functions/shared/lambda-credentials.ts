/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (see `infra/bundling.ts`), never imported directly.
 * Lambda always hands a function its role's credentials in environment variables, so of the default chain (env, SSO,
 * ini files, process, web identity, container, instance metadata) only the first can ever answer there; the others
 * and the STS/SSO clients they carry are about 130 KB of every bundle. Local runs (tsx) keep the full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
