import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/routes.ts';
import { idempotencyKeyOf, takesIdempotencyKey } from '../../functions/shared/idempotency.ts';
import { ACCESS } from '../../infra/access.ts';

describe('Idempotency-Key header', () => {
  it('is optional, read without case, and 1-255 printable ASCII characters', () => {
    expect(idempotencyKeyOf({})).toBeUndefined();
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
    expect(idempotencyKeyOf({ 'idempotency-key': 'a' })).toBe('a');
    expect(idempotencyKeyOf({ 'Idempotency-Key': ' ~x'.repeat(85) })).toHaveLength(255);
    for (const bad of ['', 'x'.repeat(256), 'tab\there', 'clé', 'nul\u0000', 'del\u007f']) {
      expect(() => idempotencyKeyOf({ 'idempotency-key': bad }), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'root.invalid_data', status: 400, fields: ['Idempotency-Key'] }),
      );
    }
  });

  it('is taken by every POST route but the protocol endpoints and those answering a secret, whose functions may keep its records', () => {
    const taking = ROUTES.filter((r) => takesIdempotencyKey(`${r.method} ${r.path}`));
    expect(taking.every((r) => r.method === 'POST')).toBe(true);
    expect(ROUTES.filter((r) => r.method === 'POST' && !taking.includes(r)).map((r) => r.path)).toEqual([
      '/api/v1/sso/token',
      '/api/v1/saml/acs/{organization_id}',
      '/api/v1/organizations/{organization_id}/scim/token',
      '/scim/v2/{organization_id}/{resource}',
      '/api/v1/users/auth/keys',
    ]);
    for (const r of taking) expect(ACCESS[r.handler].idempotency, r.handler).toBe(true);
  });
});
