/** Deployment settings, read once from `config.json` beside the page (written by the stack or the local gateway). */
export interface ConsoleConfig {
  /** Origin of the API; empty for the page's own origin. */
  apiUrl: string;
  /** OpenID Connect issuer and the console's public client id (authorization code with PKCE, no secret). */
  issuer?: string;
  clientId?: string;
  /** Both, to skip discovery (Cognito's hosted UI lives on another origin than its issuer). */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

let loaded: ConsoleConfig | undefined;

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch('config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json answered ${res.status}`);
  const raw = (await res.json()) as Partial<ConsoleConfig>;
  loaded = { ...raw, apiUrl: (raw.apiUrl ?? '').replace(/\/+$/, '') };
  return loaded;
}

export function config(): ConsoleConfig {
  if (!loaded) throw new Error('config not loaded');
  return loaded;
}
