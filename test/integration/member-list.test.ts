/**
 * The member list as an admin of many people reads it (#23): a stable order (owners first, then by name), the total,
 * sorting by name and by email both ways, a prefix search by name or by email (without case or accents, any script),
 * paged; members who are promoted, leave or are removed move or go; bad parameters answer 400 saying what to send.
 */
import { describe, expect, it } from 'vitest';
import { invite } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();

type Row = { user_id: string; email: string; name?: string };
type Org = { orgId: string; admin: string };

/** Someone who signs in with a name (or none) and joins `org` through an emailed invitation. */
async function join(org: Org, label: string, name?: string) {
  const email = api.email(label);
  const inv = await invite(api, org, [email]);
  if (inv.status !== 201) throw new Error(inv.text);
  const token = await api.invitationToken(email);
  const as = await api.token(email, name ? { name } : {});
  const acc = await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, { token: as });
  if (acc.status !== 200) throw new Error(acc.text);
  return { email, userId: await api.userId(email), label };
}

/** Every row of a list, page by page (`size` per page), and the totals each page gave. */
async function readAll(org: Org, query: string, size: number) {
  const rows: Row[] = [];
  const totals: number[] = [];
  let next: string | undefined;
  do {
    const res = await api.call(
      'GET',
      `/api/v1/organizations/${org.orgId}/members?size=${size}${query}${next ? `&next=${next}` : ''}`,
      { as: org.admin },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.members.length).toBeLessThanOrEqual(size);
    rows.push(...res.body.members);
    totals.push(res.body.total);
    next = res.body.next;
  } while (next);
  return { rows, totals };
}

/** How a person tells the rows apart: the name, or the address's label when there is no name. */
const shown = (rows: Row[]) => rows.map((r) => r.name ?? r.email.split('-')[1]);

/** Labels start `lst-` and end with the test's tag, so every address of a test starts `lst-` and sorts by its label. */
async function organization(tag: string) {
  const admin = api.email(`lst-owner-${tag}`);
  const created = await api.call('POST', '/api/v1/organizations', {
    token: await api.token(admin, { name: 'Zed Owner' }),
    body: { name: 'Lists' },
  });
  expect(created.status, created.text).toBe(201);
  const org = { orgId: created.body.id as string, admin };
  const people = {
    anna: await join(org, `lst-anna-${tag}`, 'anna Berg'),
    anne: await join(org, `lst-anne-${tag}`, 'Ánne Lee'),
    bob: await join(org, `lst-bob-${tag}`, 'Bob Stone'),
    carl: await join(org, `lst-carl-${tag}`),
    emile: await join(org, `lst-emile-${tag}`, 'Émile Zola'),
    li: await join(org, `lst-li-${tag}`, '李雷'),
  };
  return { org, people };
}

describe('the member list', () => {
  it('owners first then by name, across pages, with the total on every page; each sort both ways', async () => {
    const { org } = await organization('t1');
    // carl has no name: he sorts by his address, lst-carl-….
    const byRole = ['Zed Owner', 'anna Berg', 'Ánne Lee', 'Bob Stone', 'Émile Zola', 'carl', '李雷'];
    const first = await readAll(org, '', 2);
    expect(shown(first.rows)).toEqual(byRole);
    expect(first.totals).toEqual([7, 7, 7, 7]);
    expect(shown((await readAll(org, '&sort=role&order=desc', 3)).rows)).toEqual([...byRole].reverse());

    const byName = ['anna Berg', 'Ánne Lee', 'Bob Stone', 'Émile Zola', 'carl', 'Zed Owner', '李雷'];
    expect(shown((await readAll(org, '&sort=name', 3)).rows)).toEqual(byName);
    expect(shown((await readAll(org, '&sort=name&order=desc', 3)).rows)).toEqual([...byName].reverse());

    const byEmail = ['anna Berg', 'Ánne Lee', 'Bob Stone', 'carl', 'Émile Zola', '李雷', 'Zed Owner'];
    expect(shown((await readAll(org, '&sort=email', 4)).rows)).toEqual(byEmail);
    expect(shown((await readAll(org, '&sort=email&order=desc', 4)).rows)).toEqual([...byEmail].reverse());
  });

  it('searches by name or by email prefix, without case or accents, in any script, paged, with the matches counted', async () => {
    const { org, people } = await organization('t2');
    const search = async (query: string, size = 10) => {
      const all = await readAll(org, query, size);
      return { names: shown(all.rows), totals: all.totals };
    };
    // "AN" finds anna and Ánne (case and accent aside), one per page, each page counting both.
    expect(await search('&q=AN', 1)).toEqual({ names: ['anna Berg', 'Ánne Lee'], totals: [2, 2] });
    expect(await search('&q=%C3%A1nne')).toEqual({ names: ['Ánne Lee'], totals: [1] }); // "ánne"
    expect(await search('&q=emile')).toEqual({ names: ['Émile Zola'], totals: [1] });
    expect(await search(`&q=${encodeURIComponent('李')}`)).toEqual({ names: ['李雷'], totals: [1] });
    // A member without a name is found by their address in the name search.
    expect(await search('&q=lst-c')).toEqual({ names: ['carl'], totals: [1] });
    // By email: every address starts "lst-"; descending, paged by three.
    const byEmail = await search('&sort=email&q=LST-&order=desc', 3);
    expect(byEmail.names).toEqual([
      'Zed Owner',
      '李雷',
      'Émile Zola',
      'carl',
      'Bob Stone',
      'Ánne Lee',
      'anna Berg',
    ]);
    expect(byEmail.totals).toEqual([7, 7, 7]);
    expect(await search(`&sort=email&q=${encodeURIComponent(people.bob.email.toUpperCase())}`)).toEqual({
      names: ['Bob Stone'],
      totals: [1],
    });
    expect(await search('&q=nobody')).toEqual({ names: [], totals: [0] });
    // A name search does not look at addresses of named members, nor an email search at names.
    expect(await search('&sort=email&q=bob')).toEqual({ names: [], totals: [0] });
  });

  it('a promoted member moves to the owners; one who leaves or is removed is gone, and the total follows', async () => {
    const { org, people } = await organization('t3');
    const promote = await api.call('POST', `/api/v1/users/${people.emile.userId}/role_assignments`, {
      as: org.admin,
      body: { organization: [{ role_id: 'organization-admin', organization_id: org.orgId }] },
    });
    expect(promote.status, promote.text).toBe(200);
    // Two owners now, both before everyone else, by name among themselves.
    expect(shown((await readAll(org, '', 3)).rows)).toEqual([
      'Émile Zola',
      'Zed Owner',
      'anna Berg',
      'Ánne Lee',
      'Bob Stone',
      'carl',
      '李雷',
    ]);

    const demote = await api.call('DELETE', `/api/v1/users/${people.emile.userId}/role_assignments`, {
      as: org.admin,
      body: { organization: [{ role_id: 'organization-admin', organization_id: org.orgId }] },
    });
    expect(demote.status, demote.text).toBe(200);
    const leave = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/me`, {
      as: people.anna.email,
    });
    expect(leave.status, leave.text).toBe(200);
    const remove = await api.call(
      'DELETE',
      `/api/v1/organizations/${org.orgId}/members/${people.li.userId}`,
      {
        as: org.admin,
      },
    );
    expect(remove.status, remove.text).toBe(200);
    const after = await readAll(org, '', 10);
    expect(shown(after.rows)).toEqual(['Zed Owner', 'Ánne Lee', 'Bob Stone', 'Émile Zola', 'carl']);
    expect(after.totals).toEqual([5]);
    expect(await readAll(org, '&q=an', 10)).toEqual({
      rows: [expect.objectContaining({ name: 'Ánne Lee' })],
      totals: [1],
    });
  });

  it('refuses parameters it cannot honour with 400 root.invalid_data, naming the parameter and what it takes', async () => {
    const { org } = await organization('t4');
    const cases: [string, string, RegExp][] = [
      ['sort=age', 'sort', /sort accepts "role", "name", "email"/],
      ['order=up', 'order', /order accepts "asc", "desc"/],
      ['size=0', 'size', /1 to 1000/],
      ['size=2.5', 'size', /whole number/],
      ['size=abc', 'size', /whole number/],
      [`q=${'a'.repeat(101)}`, 'q', /at most 100 characters/],
      ['q=a%07b', 'q', /control character/],
      ['sort=role&q=an', 'sort', /use sort=name or sort=email with q/],
      ['include=all', 'include', /include accepts "invitations"/],
      ['from=100', 'from', /page with next/],
    ];
    for (const [query, field, message] of cases) {
      const res = await api.call('GET', `/api/v1/organizations/${org.orgId}/members?${query}`, {
        as: org.admin,
      });
      expect([res.status, res.body.errors?.[0]?.code, res.body.errors?.[0]?.fields], query).toEqual([
        400,
        'root.invalid_data',
        [field],
      ]);
      expect(res.body.errors[0].message, query).toMatch(message);
    }
    // A cursor from one list is refused by another (it would start somewhere meaningless).
    const page = await api.call('GET', `/api/v1/organizations/${org.orgId}/members?size=2&sort=email`, {
      as: org.admin,
    });
    const other = await api.call(
      'GET',
      `/api/v1/organizations/${org.orgId}/members?size=2&sort=name&next=${page.body.next}`,
      { as: org.admin },
    );
    expect([other.status, other.body.errors[0].fields]).toEqual([400, ['next']]);
    const searched = await api.call(
      'GET',
      `/api/v1/organizations/${org.orgId}/members?size=2&sort=email&q=zzz&next=${page.body.next}`,
      { as: org.admin },
    );
    expect([searched.status, searched.body.errors[0].fields]).toEqual([400, ['next']]);
  });
});

describe('a name that is the start of another', () => {
  it('sorts first, and a search with the key separator or a user id finds nobody', async () => {
    const admin = api.email('lst-sep-owner');
    const created = await api.call('POST', '/api/v1/organizations', {
      token: await api.token(admin, { name: 'Zed Owner' }),
      body: { name: 'Separators' },
    });
    const org = { orgId: created.body.id as string, admin };
    const long = await join(org, 'lst-sep-long', 'aaron b');
    const short = await join(org, 'lst-sep-short', 'Aaron');
    const byName = (await readAll(org, '&sort=name', 10)).rows.map((r) => r.name);
    expect(byName).toEqual(['Aaron', 'aaron b', 'Zed Owner']);
    for (const q of ['aaron#', `aaron#${short.userId.slice(0, 4)}`, 'aaron b#'])
      expect((await readAll(org, `&q=${encodeURIComponent(q)}`, 10)).rows, q).toEqual([]);
    expect(
      (await readAll(org, '&q=aaron', 10)).rows.map((r) => r.user_id),
      'both names start with aaron',
    ).toEqual([short.userId, long.userId]);
  });
});
