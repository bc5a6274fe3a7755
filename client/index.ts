/**
 * A typed client of this API, for the console and for anyone scripting against the service from this repository.
 * `schema.ts` is generated from the service's own OpenAPI document (`npm run client`; a unit test fails while it is
 * stale), and `openapi-fetch` turns it into calls whose paths, parameters, bodies and answers TypeScript checks:
 *
 *   const api = organizationsClient({ baseUrl: 'http://localhost:3000', token: () => myToken });
 *   const { data, error } = await api.GET('/api/v1/organizations/{organization_id}/members', {
 *     params: { path: { organization_id: 'org-1' } },
 *   });
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema.ts';

export type { components, operations, paths } from './schema.ts';
export type OrganizationsClient = Client<paths>;

export interface OrganizationsClientOptions extends ClientOptions {
  /** The API's origin, without `/api/v1` (the paths carry it). */
  baseUrl: string;
  /** The bearer token for each request, when there is one (an OpenID Connect access token or ID token). */
  token?: () => string | undefined | Promise<string | undefined>;
}

export function organizationsClient({ token, ...options }: OrganizationsClientOptions): OrganizationsClient {
  const client = createClient<paths>(options);
  if (token)
    client.use({
      async onRequest({ request }) {
        const value = await token();
        if (value) request.headers.set('authorization', `Bearer ${value}`);
        return request;
      },
    });
  return client;
}
