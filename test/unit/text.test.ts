/**
 * Display text (names, descriptions): the one rule in `shared/text.ts`, the zod check every such field uses, and the
 * email renderer's defence for names stored before the rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { billRequest } from '../../functions/bills/schemas.ts';
import { invitationEmail, migrationOutcomeEmail } from '../../functions/invitations/render.ts';
import { organizationRequest } from '../../functions/organizations/schemas.ts';
import { resourceRequest } from '../../functions/resources/schemas.ts';
import type { InvitationItem } from '../../functions/shared/domain.ts';
import { authedRoute, type HttpEvent, json } from '../../functions/shared/http.ts';
import { parseRoleAssignments } from '../../functions/shared/role-assignments.ts';
import { displayTextProblem, oneLine } from '../../functions/shared/text.ts';
import { repositoryRequest } from '../../functions/snapshots/schemas.ts';

/** Every code point the rule refuses: C0, DEL, C1, U+2028/2029, bidi embeddings/overrides/isolates, U+FFFD. */
const REFUSED = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x2028,
  0x2029,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
  0xfffd,
  // Invisible format characters an outside run found accepted: marks that turn text around, zero-width and joiner
  // characters, the BOM, a language tag, musical formatting, private use.
  0x200e,
  0x200f,
  0x061c,
  0x00ad,
  0xfeff,
  0x180e,
  0x2060,
  0x206f,
  0x200b,
  0xfff9,
  0xe000,
  0xe0001,
  0x1d173,
  0xf0000,
];
const refusedChar = fc.constantFrom(...REFUSED).map((c) => String.fromCodePoint(c));
/** Unicode's own classes for what the rule refuses (control, format, private use, separators), less what it allows. */
const refusedByClass = (c: string) =>
  /[\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}\uFFFD]/u.test(c) && !/^(?:\u200C|\u200D|[\u{E0020}-\u{E007F}])$/u.test(c);
/** Any well-formed text without a refused character: every plane, combining marks, ZWJ emoji, RTL letters. */
const plainChar = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 1 })
  .filter((s) => ![...s].some((c) => REFUSED.includes(c.codePointAt(0)!) || refusedByClass(c)));
const plain = (maxLength: number) =>
  fc.array(plainChar, { maxLength }).map((cs) => clip(cs.join(''), maxLength));
/** The longest prefix of whole code points within `max` UTF-16 units (zod's length), never half a pair. */
function clip(s: string, max: number): string {
  let out = '';
  for (const c of s) {
    if (out.length + c.length > max) break;
    out += c;
  }
  return out;
}

// Every request field that holds display text, with the longest text it accepts.
const FIELDS = [
  { what: 'organization name', max: 1000, parse: (s: string) => organizationRequest.safeParse({ name: s }) },
  { what: 'deployment/project name', max: 64, parse: (s: string) => resourceRequest.safeParse({ name: s }) },
  {
    what: 'snapshot repository name',
    max: 64,
    parse: (s: string) => repositoryRequest.safeParse({ name: s }),
  },
  {
    what: 'bill description',
    max: 200,
    parse: (s: string) => billRequest.safeParse({ amount_cents: 100, description: s }),
  },
];

describe('display text', () => {
  it('names the character and its position (in characters, from 1)', () => {
    expect(displayTextProblem('a\r\nBcc: evil@x.com')).toBe(
      'contains a control character (U+000D) at position 2; use plain text on one line',
    );
    expect(displayTextProblem('😀\u202Egnp.exe')).toMatch(
      /bidirectional formatting character \(U\+202E\) at position 2/,
    );
    expect(displayTextProblem('A\u2028B')).toMatch(/line or paragraph separator \(U\+2028\)/);
    expect(displayTextProblem('A\uFFFDB')).toMatch(/replacement character/);
    expect(displayTextProblem('Zürich AG 👩‍💻 شرکت‌ها 🏴󠁧󠁢󠁳󠁣󠁴󠁿')).toBeUndefined();
    expect(displayTextProblem('Evil\u200Fmoc.elgoog')).toMatch(
      /bidirectional formatting character \(U\+200F\)/,
    );
    expect(displayTextProblem('pay\u200Bpal')).toMatch(
      /invisible formatting character \(U\+200B\) at position 4/,
    );
    expect(displayTextProblem('a\u{F0000}')).toMatch(/private-use character \(U\+F0000\)/);
  });

  it('every field refuses any text holding a refused character, naming the field (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIELDS),
        plain(20),
        refusedChar,
        plain(20),
        (field, before, bad, after) => {
          const result = field.parse(`x${before}${bad}${after}`);
          expect(result.success, field.what).toBe(false);
          const issue = result.error!.issues[0]!;
          const position = [...`x${before}`].length + 1;
          const hex = bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
          expect(issue.message).toContain(`(U+${hex}) at position ${position};`);
          expect(issue.path).toEqual([field.what === 'bill description' ? 'description' : 'name']);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('every field accepts any plain text up to its length limit (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIELDS).chain((f) => fc.tuple(fc.constant(f), plain(f.max))),
        ([field, text]) => {
          const s = clip(`x${text}`, field.max);
          expect(displayTextProblem(s)).toBeUndefined();
          expect(field.parse(s).success, `${field.what}: ${JSON.stringify(s)}`).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('application roles in role assignments follow the same rule (role_assignments.invalid_config)', () => {
    const ra = (name: string) => ({
      deployment: [
        { role_id: 'deployment-viewer', organization_id: 'o1', all: true, application_roles: [name] },
      ],
    });
    expect(() => parseRoleAssignments(ra('reader'), 'o1')).not.toThrow();
    expect(() => parseRoleAssignments(ra('read\ner'), 'o1')).toThrow(/U\+000A\) at position 5/);
  });

  it('answers 400 root.invalid_data naming the field and the character', async () => {
    const route = authedRoute(async (req) => json(200, req.body(resourceRequest)));
    const event = {
      version: '2.0',
      routeKey: 'POST /x',
      rawPath: '/x',
      headers: { 'content-type': 'application/json' },
      isBase64Encoded: false,
      body: JSON.stringify({ name: 'db\r\nBcc: evil@x.com' }),
      requestContext: {
        requestId: 'r',
        http: { method: 'POST' },
        authorizer: { jwt: { claims: { sub: 'u', email: 'a@b.co' } } },
      },
    } as unknown as HttpEvent;
    const res = (await route(event)) as { statusCode: number; body: string };
    expect([res.statusCode, JSON.parse(res.body).errors[0]]).toEqual([
      400,
      {
        code: 'root.invalid_data',
        message:
          'Invalid request body at name: contains a control character (U+000D) at position 3; use plain text on one line.',
        fields: ['name'],
      },
    ]);
  });
});

describe('emails for names stored before the rule', () => {
  const stored = 'Acme\r\nBcc: evil@x.com\u202E';
  const invitation = (): InvitationItem => ({
    entity: 'Invitation',
    organization_id: 'o1',
    organization_name: stored,
    email: 'kate@example.com',
    token: 't'.repeat(43),
    status: 'pending',
    created_at: '2026-01-01T00:00:00.000Z',
    expires_at: '2026-01-04T00:00:00.000Z',
    invited_by: 'u1',
    invited_by_email: 'admin@example.com',
    role_assignments: {},
    email_status: 'queued',
    version: 1,
  });
  const refusedIn = (s: string) => [...s].filter((c) => REFUSED.includes(c.codePointAt(0)!));

  it("the mover's email names the admin roles they get in words, not as a placeholder", () => {
    const mail = invitationEmail({ ...invitation(), migration_id: 'm1' }, 'https://x/invitations/t');
    for (const body of [mail.text, mail.html]) {
      expect(body).not.toMatch(/<type>|&lt;type&gt;/);
      expect(body).toContain('Deployment admin on each deployment you brought');
    }
  });

  it('puts no CR, LF or other control character into any subject', () => {
    const subjects = [
      invitationEmail(invitation(), 'https://x/invitations/t').subject,
      // The inviter's name claim is theirs to set: it goes through the same cut.
      invitationEmail({ ...invitation(), invited_by_name: stored }, 'https://x/invitations/t').subject,
      invitationEmail({ ...invitation(), migration_id: 'm1' }, 'https://x/invitations/t').subject,
      migrationOutcomeEmail({
        to: 'k@x.co',
        succeeded: true,
        targetName: stored,
        restoredCount: 0,
        link: 'l',
      }).subject,
      migrationOutcomeEmail({
        to: 'k@x.co',
        succeeded: false,
        targetName: stored,
        restoredCount: 0,
        link: 'l',
      }).subject,
    ];
    for (const subject of subjects) {
      expect(refusedIn(subject)).toEqual([]);
      expect(subject).toContain('Acme Bcc: evil@x.com');
    }
  });

  it('keeps the name on one line in the text part too (no forged lines under the link)', () => {
    const { text } = invitationEmail(invitation(), 'https://x/invitations/t');
    expect(text.split('\n')[0]).toBe(
      'admin@example.com invited you to join the organization "Acme Bcc: evil@x.com ".',
    );
  });

  it('oneLine turns each run of refused characters into one space and leaves plain text alone (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(plainChar, refusedChar), { maxLength: 30 }), (parts) => {
        const out = oneLine(parts.join(''));
        expect(displayTextProblem(out.replaceAll('\uFFFD', ''))).toBeUndefined();
        if (!parts.some((p) => REFUSED.includes(p.codePointAt(0)!))) expect(out).toBe(parts.join(''));
      }),
    );
  });
});
