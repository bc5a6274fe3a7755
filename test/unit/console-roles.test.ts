/** The console's role model: words as the service says them, and role edits sent in a safe order. */
import { describe, expect, it } from 'vitest';
import { describeRoles, fromChoice, roleChanges, splitAddresses, toChoice } from '../../console/src/roles.ts';
import {
  PROJECT_ROLES,
  type RoleAssignments,
  describeRoles as serviceWords,
} from '../../functions/shared/roles.ts';

const ORG = 'org-1';

describe('console roles', () => {
  it('says every role in the same words as the emails and the invitation page', () => {
    const every: RoleAssignments = {
      organization: [
        { role_id: 'organization-admin', organization_id: ORG },
        { role_id: 'billing-admin', organization_id: ORG },
      ],
      deployment: [
        { role_id: 'deployment-admin', organization_id: ORG, all: true },
        { role_id: 'deployment-editor', organization_id: ORG, deployment_ids: ['d1'] },
        { role_id: 'deployment-viewer', organization_id: ORG, deployment_ids: ['d1', 'd2'] },
      ],
      project: Object.fromEntries(
        Object.entries(PROJECT_ROLES).map(([type, roles]) => [
          type,
          roles.map((role_id, i) =>
            i === 0
              ? { role_id, organization_id: ORG, all: true }
              : { role_id, organization_id: ORG, project_ids: ['p1'] },
          ),
        ]),
      ),
    };
    expect(describeRoles(every as never)).toEqual(serviceWords(every));
    expect(describeRoles({})).toEqual(serviceWords({}));
  });

  it('names the deployments and projects a role is on, by name when known, else by id', () => {
    const ra = {
      deployment: [
        { role_id: 'deployment-editor', organization_id: ORG, deployment_ids: ['d1', 'd2'] },
        { role_id: 'deployment-viewer', organization_id: ORG, deployment_ids: ['d2'] },
      ],
      project: {
        security: [{ role_id: 'security-viewer', organization_id: ORG, project_ids: ['p1', 'p9'] }],
      },
    };
    const names = new Map([
      ['d1', 'search-prod'],
      ['p1', 'siem'],
    ]);
    expect(describeRoles(ra, names)).toEqual([
      'Deployment editor (deployments d2, search-prod)',
      'Deployment viewer (deployment d2)',
      'Security viewer (security projects p9, siem)',
    ]);
  });

  it('reads any assignment into the form and back without losing anything', () => {
    const ra = {
      organization: [{ role_id: 'billing-admin', organization_id: ORG }],
      deployment: [{ role_id: 'deployment-viewer', organization_id: ORG, deployment_ids: ['d2', 'd1'] }],
      project: { security: [{ role_id: 'security-admin', organization_id: ORG, all: true }] },
    };
    expect(fromChoice(ORG, toChoice(ra))).toEqual({
      organization: [{ role_id: 'billing-admin', organization_id: ORG }],
      deployment: [{ role_id: 'deployment-viewer', organization_id: ORG, deployment_ids: ['d1', 'd2'] }],
      project: { security: [{ role_id: 'security-admin', organization_id: ORG, all: true }] },
    });
  });

  it('adds organization roles first, removes after, and replaces a changed scope whole', () => {
    const current = {
      organization: [{ role_id: 'organization-admin', organization_id: ORG }],
      deployment: [{ role_id: 'deployment-viewer', organization_id: ORG, all: true }],
    };
    const wanted = toChoice(current);
    wanted.organization['organization-admin'] = false;
    wanted.organization['billing-admin'] = true;
    wanted.deployment['deployment-viewer'] = { kind: 'ids', ids: ['d1'] };
    expect(roleChanges(ORG, current, wanted)).toEqual([
      { method: 'POST', body: { organization: [{ role_id: 'billing-admin', organization_id: ORG }] } },
      {
        method: 'DELETE',
        body: {
          organization: [{ role_id: 'organization-admin', organization_id: ORG }],
          deployment: [{ role_id: 'deployment-viewer', organization_id: ORG, all: true }],
        },
      },
      {
        method: 'POST',
        body: {
          deployment: [{ role_id: 'deployment-viewer', organization_id: ORG, deployment_ids: ['d1'] }],
        },
      },
    ]);
    expect(roleChanges(ORG, current, toChoice(current))).toEqual([]);
  });

  it('splits addresses on spaces, commas, semicolons and new lines, once each', () => {
    expect(splitAddresses(' a@x.io, b@x.io;c@x.io\n\nA@x.io  d@x.io ')).toEqual([
      'a@x.io',
      'b@x.io',
      'c@x.io',
      'd@x.io',
    ]);
  });
});
