/** The role vocabulary: every role id, its scope, what it allows and its words, and who is an organization owner. */
export const ORGANIZATION_ROLES = ['organization-admin', 'billing-admin'] as const;
export const DEPLOYMENT_ROLES = ['deployment-admin', 'deployment-editor', 'deployment-viewer'] as const;
export const PROJECT_TYPES = ['elasticsearch', 'observability', 'security'] as const;
export const PROJECT_ROLES = {
  elasticsearch: ['elasticsearch-admin', 'elasticsearch-developer', 'elasticsearch-viewer'],
  observability: ['observability-admin', 'observability-editor', 'observability-viewer'],
  security: ['security-admin', 'security-editor', 'security-viewer'],
} as const satisfies Record<(typeof PROJECT_TYPES)[number], readonly string[]>;

export type ProjectType = (typeof PROJECT_TYPES)[number];
export type RoleId =
  | (typeof ORGANIZATION_ROLES)[number]
  | (typeof DEPLOYMENT_ROLES)[number]
  | (typeof PROJECT_ROLES)[ProjectType][number];

const projectRoles = (type: ProjectType, label: string) => {
  const [admin, middle, viewer] = PROJECT_ROLES[type];
  const scope = `project (${type}): all or project_ids`;
  return {
    [admin]: {
      scope,
      allows: `with \`all\`: create ${label} projects; see and delete the ${label} projects it covers`,
    },
    [middle]: { scope, allows: `see the ${label} projects it covers (this API has no project edits yet)` },
    [viewer]: { scope, allows: `see the ${label} projects it covers` },
  } as Record<(typeof PROJECT_ROLES)[typeof type][number], { scope: string; allows: string }>;
};

/**
 * Every role id, its scope and what it allows here (what `permissions.ts` decides), for docs/api.md and the API
 * document. Keyed by `RoleId`, so a new role without words fails to compile. Any member, whatever their roles, may see
 * the organization and its members and leave it.
 */
export const ROLE_CATALOGUE: Record<RoleId, { scope: string; allows: string }> = {
  'organization-admin': {
    scope: 'organization',
    allows:
      'the owner: everything in the organization: rename it, invite and revoke, remove members, change roles, create, see and delete every deployment and project, see and settle bills. One always remains',
  },
  'billing-admin': { scope: 'organization', allows: "see and settle the organization's bills" },
  'deployment-admin': {
    scope: 'deployment: all or deployment_ids',
    allows: 'with `all`: create deployments; see and delete the deployments it covers',
  },
  'deployment-editor': {
    scope: 'deployment: all or deployment_ids',
    allows: 'see the deployments it covers (this API has no deployment edits yet)',
  },
  'deployment-viewer': {
    scope: 'deployment: all or deployment_ids',
    allows: 'see the deployments it covers',
  },
  ...projectRoles('elasticsearch', 'Elasticsearch'),
  ...projectRoles('observability', 'Observability'),
  ...projectRoles('security', 'Security'),
};

export interface OrganizationRoleAssignment {
  role_id: string;
  organization_id: string;
}
export interface ScopedRoleAssignment {
  role_id: string;
  organization_id: string;
  all?: boolean;
  deployment_ids?: string[];
  project_ids?: string[];
  application_roles?: string[];
}
export interface RoleAssignments {
  organization?: OrganizationRoleAssignment[];
  deployment?: ScopedRoleAssignment[];
  project?: Partial<Record<ProjectType, ScopedRoleAssignment[]>>;
}

export const ORG_ADMIN = 'organization-admin';

export const isOrgAdmin = (ra: RoleAssignments | undefined): boolean =>
  ra?.organization?.some((a) => a.role_id === ORG_ADMIN) ?? false;

export const adminRoleAssignments = (orgId: string): RoleAssignments => ({
  organization: [{ role_id: ORG_ADMIN, organization_id: orgId }],
});

const ROLE_WORDS: Record<string, string> = {
  'organization-admin': 'Organization owner',
  'billing-admin': 'Billing admin',
  'deployment-admin': 'Deployment admin',
  'deployment-editor': 'Deployment editor',
  'deployment-viewer': 'Deployment viewer',
};

function scopeWords(a: ScopedRoleAssignment, noun: string): string {
  if (a.all) return `all ${noun}s`;
  const ids = a.deployment_ids ?? a.project_ids ?? [];
  return ids.length === 1 ? `${noun} ${ids[0]}` : `${ids.length} ${noun}s`;
}

/**
 * A role in words, in one sentence case everywhere (emails, pages, the console): `organization-admin` → "Organization
 * owner", `security-admin` → "Security admin".
 */
export function roleWords(roleId: string): string {
  const known = ROLE_WORDS[roleId];
  if (known) return known;
  const words = roleId.split('-');
  return [words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1), ...words.slice(1)].join(' ');
}

/** Roles in words for emails and the invitation page, e.g. "Deployment viewer (all deployments)". */
export function describeRoles(ra: RoleAssignments): string[] {
  const words: string[] = [];
  for (const a of ra.organization ?? []) words.push(roleWords(a.role_id));
  for (const a of ra.deployment ?? []) {
    words.push(`${roleWords(a.role_id)} (${scopeWords(a, 'deployment')})`);
  }
  for (const type of PROJECT_TYPES) {
    for (const a of ra.project?.[type] ?? [])
      words.push(`${roleWords(a.role_id)} (${scopeWords(a, `${type} project`)})`);
  }
  return words.length ? words : ['Member (no roles yet)'];
}
