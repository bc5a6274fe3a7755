/**
 * The Single sign-on tab's role mappings: which roles people signing in through the IdP get, by their groups and
 * addresses. A table (name, rule, roles) and a small editor (name, any/all, rules, and the invitations' role form).
 */
import { api, ok, type Schemas } from '../api.ts';
import { field, h, nextId } from '../dom.ts';
import { describeRoles, emptyChosenScopes, fromChoice, toChoice } from '../roles.ts';
import { reload } from '../router.ts';
import { actionsMenu, announce, busy, confirmAction, errorBox, openDialog } from '../ui.ts';
import { loadResources, type Resource } from './resources.ts';
import { roleForm } from './roleform.ts';

type Mapping = Schemas['RoleMapping'];
type Rule = Schemas['RoleMappingPropertyRule'];
type Resources = { deployments: Resource[]; projects: Resource[] };

const ruleWords = (r: Rule) => (r.group !== undefined ? `group ${r.group}` : `email ${r.email ?? ''}`);

/** "any of: group engineers, email *@acme.com". */
export function ruleSummary(m: Mapping): string {
  const all = m.rule.all !== undefined;
  const rules = (all ? m.rule.all : m.rule.any) ?? [];
  if (rules.length === 1) return ruleWords(rules[0]!);
  return `${all ? 'all' : 'any'} of: ${rules.map(ruleWords).join(', ')}`;
}

export async function mappingsCard(orgId: string): Promise<HTMLElement> {
  const path = { params: { path: { organization_id: orgId } } };
  const [{ mappings }, resources] = await Promise.all([
    ok(api().GET('/api/v1/organizations/{organization_id}/role_mappings', path)),
    loadResources(orgId),
  ]);
  const names = new Map([...resources.deployments, ...resources.projects].map((r) => [r.id, r.name]));
  const edit = (m?: Mapping) => openMappingEditor(orgId, resources, m);
  const remove = (m: Mapping) =>
    confirmAction({
      title: `Delete the mapping ${m.name}?`,
      text: 'People who sign in through the IdP next no longer get its roles.',
      confirm: 'Delete',
      danger: true,
      action: async () => {
        await ok(
          api().DELETE('/api/v1/organizations/{organization_id}/role_mappings/{role_names}', {
            params: { path: { organization_id: orgId, role_names: m.name } },
          }),
        );
        announce(`Mapping ${m.name} deleted.`);
        await reload();
      },
    });
  const add = h('button', { type: 'button' }, 'Add mapping');
  add.addEventListener('click', () => edit());
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'sso-mappings' },
    h('h2', { id: 'sso-mappings' }, 'Role mappings'),
    h(
      'p',
      {},
      'At each sign-in through the IdP, a person gets the roles of every enabled mapping that matches.',
    ),
    mappings.length
      ? h(
          'table',
          { class: 'data mappings' },
          h('caption', { class: 'visually-hidden' }, 'Role mappings'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Name', 'Rule', 'Roles'].map((c) => h('th', { scope: 'col' }, c)),
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
            ),
          ),
          h(
            'tbody',
            {},
            mappings.map((m) =>
              h(
                'tr',
                { 'data-mapping': m.name },
                h('td', { 'data-label': 'Name' }, m.name, m.enabled ? '' : ' (off)'),
                h('td', { 'data-label': 'Rule' }, ruleSummary(m)),
                h('td', { 'data-label': 'Roles' }, describeRoles(m.role_assignments, names).join(', ')),
                h(
                  'td',
                  { class: 'row-actions' },
                  actionsMenu(`Actions for ${m.name}`, [
                    { text: 'Edit', run: () => edit(m) },
                    { text: 'Delete', danger: true, run: () => remove(m) },
                  ]),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'empty' }, 'No role mappings: people who sign in through the IdP get no roles.'),
    h('div', { class: 'actions' }, add),
  );
}

/** One rule's row: group or email, and the pattern. */
function ruleRow(rule: Rule, onRemove: (row: HTMLElement) => void) {
  const kind = h(
    'select',
    { id: nextId('rule-kind'), 'aria-label': 'Match on' },
    h('option', { value: 'group' }, 'Group'),
    h('option', { value: 'email' }, 'Email'),
  );
  kind.value = rule.email !== undefined ? 'email' : 'group';
  const pattern = h('input', {
    type: 'text',
    required: true,
    'aria-label': 'Pattern',
    value: rule.group ?? rule.email ?? '',
    placeholder: 'engineers, or *@acme.com',
  });
  const del = h(
    'button',
    { type: 'button', class: 'link-button', 'aria-label': 'Remove this rule' },
    'Remove',
  );
  const row = h('li', { class: 'rule-row' }, kind, pattern, del);
  del.addEventListener('click', () => onRemove(row));
  return {
    row,
    value: (): Rule =>
      kind.value === 'email' ? { email: pattern.value.trim() } : { group: pattern.value.trim() },
  };
}

function openMappingEditor(orgId: string, resources: Resources, m?: Mapping): void {
  openDialog(
    m ? `Edit mapping ${m.name}` : 'Add a role mapping',
    (d) => {
      const name = field(
        'Name',
        h('input', { type: 'text', required: true, value: m?.name ?? '', autocomplete: 'off' }),
        'Letters, digits, _ . and -.',
      );
      const mode = field(
        'Matches when',
        h(
          'select',
          {},
          h('option', { value: 'any' }, 'any rule matches'),
          h('option', { value: 'all' }, 'all rules match'),
        ),
      );
      mode.control.value = m?.rule.all !== undefined ? 'all' : 'any';
      const enabledId = nextId('check');
      const enabled = h('input', { type: 'checkbox', id: enabledId, checked: m?.enabled ?? true });
      const rows: ReturnType<typeof ruleRow>[] = [];
      const list = h('ul', { class: 'rule-list' });
      const addRule = (r: Rule) => {
        const made = ruleRow(r, (row) => {
          rows.splice(rows.indexOf(made), 1);
          row.remove();
        });
        rows.push(made);
        list.append(made.row);
      };
      for (const r of m?.rule.all ?? m?.rule.any ?? [{ group: '' }]) addRule(r);
      const more = h('button', { type: 'button' }, 'Add rule');
      more.addEventListener('click', () => addRule({ group: '' }));
      const roles = roleForm(toChoice(m?.role_assignments), resources);
      const errors = errorBox();
      const save = h('button', { type: 'submit', class: 'primary' }, 'Save mapping');
      const form = h(
        'form',
        { novalidate: true },
        name.wrap,
        h('div', { class: 'check' }, enabled, h('label', { for: enabledId }, 'Enabled')),
        h('fieldset', {}, h('legend', {}, 'Rules'), mode.wrap, list, more),
        h('fieldset', {}, h('legend', {}, 'Roles'), roles.element),
        errors,
        h(
          'div',
          { class: 'actions' },
          save,
          h('button', { type: 'button', onclick: () => d.close() }, 'Cancel'),
        ),
      );
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const choice = roles.value();
        const empty = emptyChosenScopes(choice);
        if (empty.length)
          return errors.show(new Error(`Choose at least one resource for: ${empty.join(', ')}.`));
        const mapping: Mapping = {
          name: name.control.value.trim(),
          enabled: enabled.checked,
          rule: { [mode.control.value]: rows.map((r) => r.value()) },
          role_assignments: fromChoice(orgId, choice),
        };
        const saved = await busy(save, errors, async () => {
          if (m)
            await ok(
              api().PUT('/api/v1/organizations/{organization_id}/role_mappings/{role_name}', {
                params: { path: { organization_id: orgId, role_name: m.name } },
                body: { mapping },
              }),
            );
          else
            await ok(
              api().POST('/api/v1/organizations/{organization_id}/role_mappings', {
                params: { path: { organization_id: orgId } },
                body: { mappings: [mapping] },
              }),
            );
          return true;
        });
        if (saved) {
          d.close();
          announce(`Mapping ${mapping.name} saved.`);
          await reload();
        }
      });
      return [form];
    },
    { wide: true },
  );
}
