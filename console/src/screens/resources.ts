/** Deployments and projects of the organization: what the member's roles let them see, create and delete. */
import { api, ok, type Schemas } from '../api.ts';
import { clear, field, h, time } from '../dom.ts';
import {
  type Assignment,
  isOrgAdmin,
  PROJECT_TYPE_WORDS,
  PROJECT_TYPES,
  type ProjectType,
  type RoleAssignments,
} from '../roles.ts';
import type { Session } from '../session.ts';
import { announce, busy, confirmAction, errorBox } from '../ui.ts';

export type Resource = Schemas['Resource'];

/** When it was added here, and how: one a move brought was restored then, not created. */
const added = (r: Resource) => h('span', {}, r.restored_from ? 'Restored ' : 'Created ', time(r.created_at));

export async function loadResources(
  orgId: string,
): Promise<{ deployments: Resource[]; projects: Resource[] }> {
  const [d, p] = await Promise.all([
    ok(
      api().GET('/api/v1/organizations/{organization_id}/deployments', {
        params: { path: { organization_id: orgId } },
      }),
    ),
    ok(
      api().GET('/api/v1/organizations/{organization_id}/projects', {
        params: { path: { organization_id: orgId } },
      }),
    ),
  ]);
  return { deployments: d.deployments, projects: p.projects };
}

/** What the roles allow, as the service decides it; the console only hides buttons that would be refused. */
function mayCreate(ra: RoleAssignments | undefined, kind: 'deployment' | string): boolean {
  if (isOrgAdmin(ra)) return true;
  if (kind === 'deployment')
    return ra?.deployment?.some((a) => a.role_id === 'deployment-admin' && a.all) ?? false;
  const type = kind as (typeof PROJECT_TYPES)[number];
  return ra?.project?.[type]?.some((a) => a.role_id === `${type}-admin` && a.all) ?? false;
}

function mayDelete(ra: RoleAssignments | undefined, r: Resource): boolean {
  if (isOrgAdmin(ra)) return true;
  const list: Assignment[] | undefined =
    r.kind === 'deployment' ? ra?.deployment : ra?.project?.[r.type as (typeof PROJECT_TYPES)[number]];
  const admin = r.kind === 'deployment' ? 'deployment-admin' : `${r.type}-admin`;
  return (
    list?.some(
      (a) => a.role_id === admin && (a.all || (a.deployment_ids ?? a.project_ids ?? []).includes(r.id)),
    ) ?? false
  );
}

export async function renderResources(main: HTMLElement, s: Session): Promise<void> {
  const org = s.org!;
  const ra = s.me?.role_assignments;
  const errors = errorBox();
  const body = h('div', {});
  main.append(h('h1', { tabindex: '-1' }, 'Deployments and projects'), errors, body);

  const refresh = async () => {
    let res: { deployments: Resource[]; projects: Resource[] };
    try {
      res = await loadResources(org.id);
    } catch (e) {
      errors.show(e);
      return;
    }
    const table = (title: string, rows: Resource[], kind: 'deployment' | 'project') =>
      h(
        'section',
        { 'aria-labelledby': `${kind}-title` },
        h('h2', { id: `${kind}-title` }, title),
        rows.length === 0
          ? h('p', { class: 'empty' }, `No ${kind}s you can see.`)
          : h(
              'table',
              { class: 'data' },
              h('caption', { class: 'visually-hidden' }, title),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, 'Name'),
                  h('th', { scope: 'col' }, 'Type'),
                  h('th', { scope: 'col' }, 'Added'),
                  h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
                ),
              ),
              h(
                'tbody',
                {},
                rows.map((r) => {
                  const remove = mayDelete(ra, r)
                    ? h(
                        'button',
                        { type: 'button', class: 'small danger-text', 'aria-label': `Delete ${r.name}` },
                        'Delete',
                      )
                    : undefined;
                  remove?.addEventListener('click', () =>
                    confirmAction({
                      title: `Delete ${r.name}?`,
                      text: `The ${kind} ${r.name} will be deleted from ${org.name}.`,
                      confirm: 'Delete',
                      danger: true,
                      action: async () => {
                        await deleteResource(org.id, kind, r.id);
                        announce(`${r.name} deleted.`);
                        await refresh();
                      },
                    }),
                  );
                  return h(
                    'tr',
                    {},
                    h('td', { 'data-label': 'Name' }, r.name),
                    h(
                      'td',
                      { 'data-label': 'Type' },
                      kind === 'project' ? (PROJECT_TYPE_WORDS[r.type as 'security'] ?? r.type) : r.type,
                    ),
                    h('td', { 'data-label': 'Added' }, added(r)),
                    h('td', { class: 'row-actions' }, remove),
                  );
                }),
              ),
            ),
      );
    clear(
      body,
      table('Deployments', res.deployments, 'deployment'),
      table('Projects', res.projects, 'project'),
      createForm(),
    );
  };

  const createForm = () => {
    const kinds = [
      ...(mayCreate(ra, 'deployment') ? [['deployment', 'Deployment (hosted)']] : []),
      ...PROJECT_TYPES.filter((t) => mayCreate(ra, t)).map((t) => [t, `${PROJECT_TYPE_WORDS[t]} project`]),
    ];
    if (kinds.length === 0)
      return h('p', { class: 'hint' }, 'Your roles do not let you create deployments or projects.');
    const what = field(
      'Kind',
      h(
        'select',
        {},
        kinds.map(([v, l]) => h('option', { value: v }, l)),
      ),
    );
    const name = field('Name', h('input', { type: 'text', required: true, maxlength: 100 }));
    const formErrors = errorBox();
    const create = h('button', { type: 'submit', class: 'primary' }, 'Create');
    const form = h(
      'form',
      { class: 'card inline-form', 'aria-labelledby': 'new-resource' },
      h('h2', { id: 'new-resource' }, 'Create a deployment or project'),
      what.wrap,
      name.wrap,
      create,
      formErrors,
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      await busy(create, formErrors, async () => {
        const kind = what.control.value;
        const body = { name: name.control.value.trim(), configuration: {} };
        const path = { params: { path: { organization_id: org.id } } };
        if (kind === 'deployment')
          await ok(api().POST('/api/v1/organizations/{organization_id}/deployments', { ...path, body }));
        else
          await ok(
            api().POST('/api/v1/organizations/{organization_id}/projects', {
              ...path,
              body: { ...body, type: kind as ProjectType },
            }),
          );
        announce(`${body.name} created.`);
        await refresh();
      });
    });
    return form;
  };
  await refresh();
}

function deleteResource(orgId: string, kind: 'deployment' | 'project', id: string) {
  if (kind === 'deployment')
    return ok(
      api().DELETE('/api/v1/organizations/{organization_id}/deployments/{deployment_id}', {
        params: { path: { organization_id: orgId, deployment_id: id } },
      }),
    );
  return ok(
    api().DELETE('/api/v1/organizations/{organization_id}/projects/{project_id}', {
      params: { path: { organization_id: orgId, project_id: id } },
    }),
  );
}
