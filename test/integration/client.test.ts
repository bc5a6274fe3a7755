/**
 * The typed client in client/ (openapi-fetch over the types generated from our OpenAPI document), used as someone
 * scripting against the service would: against the running API, with a token, answers and refusals as typed.
 */
import { describe, expect, it } from 'vitest';
import { organizationsClient } from '../../client/index.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();

describe('the typed client', () => {
  it('creates an organization, reads its members with query parameters, and gets refusals as the API error body', async () => {
    const owner = api.email('client-owner');
    const token = await api.token(owner);
    const client = organizationsClient({ baseUrl: api.stack.apiUrl, token: () => token });

    const created = await client.POST('/api/v1/organizations', { body: { name: 'Typed Co' } });
    expect(created.response.status).toBe(201);
    const orgId = created.data!.id;
    expect(created.data!.name).toBe('Typed Co');

    const members = await client.GET('/api/v1/organizations/{organization_id}/members', {
      params: { path: { organization_id: orgId }, query: { size: 1, include: 'invitations' } },
    });
    expect(members.error).toBeUndefined();
    expect(members.data!.members.map((m) => m.email)).toEqual([owner]);
    expect(members.data!.invitations).toEqual([]);

    const refused = await client.POST('/api/v1/organizations/{organization_id}/invitations', {
      params: { path: { organization_id: orgId } },
      body: { emails: ['not an address'] },
    });
    expect(refused.response.status).toBe(400);
    expect(refused.data).toBeUndefined();
    expect(refused.error!.errors[0]!.code).toBe('organization.invitation_invalid_email');

    const anonymous = organizationsClient({ baseUrl: api.stack.apiUrl });
    expect((await anonymous.GET('/api/v1/users/me')).response.status).toBe(401);
  });
});
