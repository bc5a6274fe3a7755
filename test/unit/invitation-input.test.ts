import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPIRY_MS, parseEmails, parseExpiresIn } from '../../functions/invitations/schemas.ts';
import { parseRoleAssignments } from '../../functions/shared/role-assignments.ts';
import { describeRoles } from '../../functions/shared/roles.ts';

describe('parseEmails', () => {
  it('splits one string on spaces, commas, semicolons and new lines, normalises and de-duplicates', () => {
    expect(parseEmails(' A@Example.com, b@example.com\nc@example.com;a@example.com ')).toEqual([
      'a@example.com',
      'b@example.com',
      'c@example.com',
    ]);
    expect(parseEmails(['X@EXAMPLE.COM', 'x@example.com'])).toEqual(['x@example.com']);
  });
  it.each([
    'plain',
    'a@b',
    '@example.com',
    'a@@example.com',
    'a..b@example.com',
    '.a@example.com',
    'a@-x.com',
    'ad\u043Cin@example.com',
    `${'a'.repeat(65)}@example.com`,
  ])('rejects %s naming it in fields', (bad) => {
    expect(() => parseEmails(['ok@example.com', bad])).toThrow(
      expect.objectContaining({ code: 'organization.invitation_invalid_email', fields: [bad.toLowerCase()] }),
    );
  });
  it.each([
    ['KELVIN SIGN for k', '\u212Aate@example.com'],
    ['NBSP padding', '\u00A0kate@example.com'],
    ['IDEOGRAPHIC SPACE padding', 'kate@example.com\u3000'],
    ['a zero-width joiner', 'ka\u200Dte@example.com'],
    ['fullwidth letters', '\uFF4Bate@example.com'],
  ])('refuses a look-alike of an ASCII address (%s) instead of folding it into kate@example.com', (_, bad) => {
    expect(() => parseEmails([bad])).toThrow(
      expect.objectContaining({ code: 'organization.invitation_invalid_email', fields: [bad] }),
    );
    expect(() => parseEmails(`ok@example.com ${bad}`)).toThrow(
      expect.objectContaining({ code: 'organization.invitation_invalid_email', fields: [bad] }),
    );
  });
  it('holds RFC 5321 lengths: 254 characters in all, 64 before the @', () => {
    const domain = (n: number) => `${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(n - 132)}.com`;
    const of = (total: number) => `${'a'.repeat(64)}@${domain(total - 65)}`;
    expect(of(254)).toHaveLength(254);
    expect(parseEmails([of(254)])).toEqual([of(254)]);
    for (const n of [255, 256]) {
      expect(() => parseEmails([of(n)])).toThrow(
        expect.objectContaining({ code: 'organization.invitation_invalid_email' }),
      );
    }
    expect(() => parseEmails([`${'a'.repeat(65)}@example.com`])).toThrow(
      expect.objectContaining({ code: 'organization.invitation_invalid_email' }),
    );
  });
  it('caps a request at 100 addresses', () => {
    expect(() => parseEmails(Array.from({ length: 101 }, (_, i) => `u${i}@example.com`))).toThrow(
      expect.objectContaining({ code: 'root.invalid_data' }),
    );
    expect(parseEmails(Array.from({ length: 100 }, (_, i) => `u${i}@example.com`))).toHaveLength(100);
  });
});

describe('parseExpiresIn', () => {
  it('defaults to 72 hours and reads h, d and m units', () => {
    expect(parseExpiresIn(undefined)).toBe(DEFAULT_EXPIRY_MS);
    expect(parseExpiresIn('72h')).toBe(72 * 3600_000);
    expect(parseExpiresIn('3d')).toBe(72 * 3600_000);
    expect(parseExpiresIn('7d')).toBe(7 * 86_400_000);
    expect(parseExpiresIn('90m')).toBe(90 * 60_000);
  });
  it.each(['59m', '0h', '31d', '721h', '1w', '-1h', '1.5h', '', 'P3D'])('rejects %j', (raw) => {
    expect(() => parseExpiresIn(raw)).toThrow(
      expect.objectContaining({ code: 'root.invalid_data', fields: ['expires_in'] }),
    );
  });
});

describe('parseRoleAssignments', () => {
  it('normalises: sorted unique ids, duplicates removed', () => {
    const ra = parseRoleAssignments(
      {
        deployment: [
          { role_id: 'deployment-editor', organization_id: 'o1', deployment_ids: ['d2', 'd1', 'd2'] },
          { role_id: 'deployment-editor', organization_id: 'o1', deployment_ids: ['d1', 'd2'] },
        ],
        project: { security: [{ role_id: 'security-viewer', organization_id: 'o1', all: true }] },
      },
      'o1',
    );
    expect(ra).toEqual({
      deployment: [{ role_id: 'deployment-editor', organization_id: 'o1', deployment_ids: ['d1', 'd2'] }],
      project: { security: [{ role_id: 'security-viewer', organization_id: 'o1', all: true }] },
    });
  });
  it.each([
    [
      'a project role under the wrong type',
      { project: { elasticsearch: [{ role_id: 'security-admin', organization_id: 'o1', all: true }] } },
    ],
    ['a platform role', { platform: [{ role_id: 'platform-admin' }] }],
    ['an unknown key', { team: [] }],
    [
      'an empty id list',
      { deployment: [{ role_id: 'deployment-viewer', organization_id: 'o1', deployment_ids: [] }] },
    ],
    [
      'a path-like id',
      { deployment: [{ role_id: 'deployment-viewer', organization_id: 'o1', deployment_ids: ['../x'] }] },
    ],
  ])('rejects %s with role_assignments.invalid_config', (_n, input) => {
    expect(() => parseRoleAssignments(input, 'o1')).toThrow(
      expect.objectContaining({ code: 'role_assignments.invalid_config' }),
    );
  });
  it('describes roles in words', () => {
    expect(
      describeRoles({
        organization: [{ role_id: 'organization-admin', organization_id: 'o' }],
        deployment: [{ role_id: 'deployment-viewer', organization_id: 'o', deployment_ids: ['d1'] }],
        project: {
          elasticsearch: [{ role_id: 'elasticsearch-developer', organization_id: 'o', all: true }],
          security: [{ role_id: 'security-admin', organization_id: 'o', project_ids: ['p1'] }],
        },
      }),
    ).toEqual([
      'Organization owner',
      'Deployment viewer (deployment d1)',
      // One capitalisation for every role: the first word only, as "Deployment viewer".
      'Elasticsearch developer (all elasticsearch projects)',
      'Security admin (security project p1)',
    ]);
  });
});
