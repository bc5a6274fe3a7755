/** The role picker used by Invite members and Edit role: every scope the API knows, for all or chosen resources. */
import { h, nextId } from '../dom.ts';
import {
  DEPLOYMENT_ROLES,
  ORGANIZATION_ROLES,
  PROJECT_ROLES,
  PROJECT_TYPE_WORDS,
  PROJECT_TYPES,
  type ProjectType,
  type RoleChoice,
  roleName,
  type Scope,
} from '../roles.ts';
import type { Resource } from './resources.ts';

const ORG_ROLE_HINTS: Record<string, string> = {
  'organization-admin': 'all resources; invites, removes members and changes roles',
  'billing-admin': 'sees and settles bills',
};

function scopePicker(
  roleId: string,
  noun: string,
  resources: Resource[],
  scope: Scope,
  onChange: (s: Scope) => void,
): HTMLElement {
  const select = h(
    'select',
    { id: nextId('scope'), 'data-role': roleId },
    h('option', { value: 'none' }, 'Not given'),
    h('option', { value: 'all' }, `All ${noun}s (including future ones)`),
    h('option', { value: 'ids', disabled: resources.length === 0 }, `Chosen ${noun}s`),
  );
  select.value = scope.kind;
  const chosen = new Set(scope.kind === 'ids' ? scope.ids : []);
  const boxes = h(
    'fieldset',
    { class: 'chosen', hidden: scope.kind !== 'ids' },
    h('legend', { class: 'visually-hidden' }, `${roleName(roleId)}: chosen ${noun}s`),
    resources.map((r) => {
      const id = nextId('res');
      const box = h('input', { type: 'checkbox', id, value: r.id, checked: chosen.has(r.id) });
      box.addEventListener('change', () => {
        if (box.checked) chosen.add(r.id);
        else chosen.delete(r.id);
        emit();
      });
      return h('div', { class: 'check' }, box, h('label', { for: id }, r.name));
    }),
  );
  const emit = () => {
    const kind = select.value as Scope['kind'];
    boxes.hidden = kind !== 'ids';
    onChange(kind === 'ids' ? { kind, ids: [...chosen].sort() } : { kind });
  };
  select.addEventListener('change', emit);
  return h('div', { class: 'scope-row' }, h('label', { for: select.id }, roleName(roleId)), select, boxes);
}

export function roleForm(
  initial: RoleChoice,
  resources: { deployments: Resource[]; projects: Resource[] },
): { element: HTMLElement; value(): RoleChoice } {
  const choice: RoleChoice = structuredClone(initial);
  const org = h(
    'fieldset',
    { class: 'roles-group' },
    h('legend', {}, 'Organization'),
    ORGANIZATION_ROLES.map((r) => {
      const id = nextId('org-role');
      const box = h('input', {
        type: 'checkbox',
        id,
        checked: choice.organization[r] ?? false,
        'data-role': r,
      });
      box.addEventListener('change', () => {
        choice.organization[r] = box.checked;
      });
      return h(
        'div',
        { class: 'check' },
        box,
        h('label', { for: id }, `${roleName(r)} `, h('span', { class: 'hint' }, `(${ORG_ROLE_HINTS[r]})`)),
      );
    }),
  );
  const dep = h(
    'fieldset',
    { class: 'roles-group' },
    h('legend', {}, 'Deployments'),
    DEPLOYMENT_ROLES.map((r) =>
      scopePicker(r, 'deployment', resources.deployments, choice.deployment[r] ?? { kind: 'none' }, (s) => {
        choice.deployment[r] = s;
      }),
    ),
  );
  const projectGroup = (t: ProjectType) => {
    const ofType = resources.projects.filter((p) => p.type === t);
    const given = PROJECT_ROLES[t].some((r) => (choice.project[t][r]?.kind ?? 'none') !== 'none');
    return h(
      'details',
      { class: 'roles-group', open: given },
      h('summary', {}, `${PROJECT_TYPE_WORDS[t]} projects`),
      PROJECT_ROLES[t].map((r) =>
        scopePicker(r, `${t} project`, ofType, choice.project[t][r] ?? { kind: 'none' }, (s) => {
          choice.project[t][r] = s;
        }),
      ),
    );
  };
  const proj = h(
    'fieldset',
    { class: 'roles-group' },
    h('legend', {}, 'Projects'),
    PROJECT_TYPES.map(projectGroup),
  );
  return { element: h('div', { class: 'role-form' }, org, dep, proj), value: () => structuredClone(choice) };
}
