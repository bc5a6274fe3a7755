/** Helpers for migration tests: set the scene, start, wait for a step or the end, check nothing was lost. */

import { DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { expect } from 'vitest';
import { executionArnOf } from '../../local/arns.ts';
import { addMember, invite, orgWithAdmin, tokenFromMail } from './factories.ts';
import type { TestApi } from './stack.ts';

export interface Scene {
  source: { orgId: string; admin: string };
  target: { orgId: string; admin: string; name: string };
  user: string;
  repoId: string;
  resources: {
    kind: 'deployments' | 'projects';
    id: string;
    name: string;
    configuration: unknown;
    type: string;
  }[];
}

/** `user` is the sole member of a source organization with `n` resources, or (n = -1) a plain member of a shared one. */
export async function scene(api: TestApi, label: string, n: number): Promise<Scene> {
  let source: { orgId: string; admin: string };
  let user: string;
  if (n < 0) {
    source = await orgWithAdmin(api, `${label}-src`);
    user = (await addMember(api, source, `${label}-mover`)).email;
  } else {
    source = await orgWithAdmin(api, `${label}-solo`);
    user = source.admin;
  }
  const resources: Scene['resources'] = [];
  for (let i = 0; i < Math.max(n, 0); i++) {
    const kind = i % 2 === 0 ? 'deployments' : 'projects';
    const body = {
      name: `${kind}-${i}`,
      // Keys and numbers a DynamoDB map could not hold: the move must keep them exactly too.
      configuration: { size: `${i + 1}g`, nested: { zones: i, '': 1e-200, constructor: { name: 'Map' } } },
      ...(kind === 'projects' ? { type: 'security' } : {}),
    };
    const res = await api.call('POST', `/api/v1/organizations/${source.orgId}/${kind}`, { as: user, body });
    expect(res.status, res.text).toBe(201);
    resources.push({
      kind,
      id: res.body.id,
      name: body.name,
      configuration: body.configuration,
      type: res.body.type,
    });
  }
  const target = await orgWithAdmin(api, `${label}-tgt`);
  const inv = await invite(api, target, [user], {
    role_assignments: {
      deployment: [{ role_id: 'deployment-admin', organization_id: target.orgId, all: true }],
    },
  });
  expect(inv.status).toBe(201);
  const repo = await api.call('POST', '/api/v1/users/me/snapshot-repositories', {
    as: user,
    body: { name: 'my-backups' },
  });
  expect(repo.status).toBe(201);
  return { source, target, user, repoId: repo.body.id, resources };
}

export async function start(api: TestApi, s: Scene) {
  const res = await api.call('POST', '/api/v1/migrations', {
    as: s.user,
    body: { target_organization_id: s.target.orgId, repository_id: s.repoId },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

export async function waitFor(
  api: TestApi,
  user: string,
  id: string,
  done: (m: any) => boolean,
  timeoutMs = 20_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const res = await api.call('GET', `/api/v1/migrations/${id}`, { as: user });
    // A refused read (a 429 while faults are injected) says nothing about the migration: keep polling.
    if (res.status === 200) {
      last = res.body;
      if (done(last)) return last;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`migration ${id} did not get there in time; last seen: ${JSON.stringify(last)}`);
}

/** Each step's status by name, as `GET /migrations/{id}` lists them. */
export const stepStatuses = (m: any): Record<string, string> =>
  Object.fromEntries(m.history.map((h: { step: string; status: string }) => [h.step, h.status]));

export const waitingForAcceptance = (m: any) =>
  m.current_step === 'Wait for invitation acceptance' &&
  stepStatuses(m)['Re-invite to target organization'] === 'succeeded';
export const finished = (m: any) => m.status !== 'running';

export async function acceptFromMail(api: TestApi, user: string) {
  const res = await api.call(
    'POST',
    `/api/v1/organizations/invitations/${await tokenFromMail(api, user)}/_accept`,
    { as: user },
  );
  expect(res.status, res.text).toBe(200);
}

const strip = (r: any) => ({ name: r.name, type: r.type, configuration: r.configuration });

/**
 * The invariant: every resource that existed is still in the source organization or in the user's repository, and
 * restored in the target when the run succeeded; the user belongs to exactly the organization the outcome implies.
 */
export async function assertNothingLost(api: TestApi, s: Scene, m: any) {
  const snaps = (
    await api.call('GET', `/api/v1/users/me/snapshot-repositories/${s.repoId}/snapshots`, { as: s.user })
  ).body.snapshots;
  const sourceList = async (kind: string) =>
    (await api.call('GET', `/api/v1/organizations/${s.source.orgId}/${kind}`, { as: s.source.admin })).body?.[
      kind
    ] ?? [];
  const srcNow = m.left_at ? [] : [...(await sourceList('deployments')), ...(await sourceList('projects'))];
  for (const r of s.resources) {
    const inSource = srcNow.some((x: any) => x.id === r.id);
    const snap = snaps.find((x: any) => x.source_id === r.id && x.migration_id === m.id);
    expect(inSource || Boolean(snap), `${r.kind} ${r.id} lost`).toBe(true);
    if (snap) expect(strip({ ...snap })).toEqual(strip(r));
  }
  const orgs = (await api.call('GET', '/api/v1/organizations', { as: s.user })).body.organizations.map(
    (o: any) => o.id,
  );
  if (m.status === 'succeeded') {
    expect(orgs).toEqual([s.target.orgId]);
    const tgt = [
      ...(
        await api.call('GET', `/api/v1/organizations/${s.target.orgId}/deployments`, { as: s.target.admin })
      ).body.deployments,
      ...(await api.call('GET', `/api/v1/organizations/${s.target.orgId}/projects`, { as: s.target.admin }))
        .body.projects,
    ];
    expect(tgt.map(strip).sort((a: any, b: any) => a.name.localeCompare(b.name))).toEqual(
      s.resources.map(strip).sort((a, b) => a.name.localeCompare(b.name)),
    );
  } else if (!m.left_at) {
    expect(orgs).toEqual([s.source.orgId]);
  } else {
    expect(orgs).not.toContain(s.source.orgId);
  }
}

/** The outcome is recorded a state or two before the execution ends: wait for the end itself (up to 5 s). */
export async function executionEnded(api: TestApi, id: string): Promise<void> {
  for (let t = 0; t < 200; t++) {
    if ((await describeExecution(api, id)).status !== 'RUNNING') return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`execution of migration ${id} still running after 5 s`);
}

/** State transitions of an execution (the Step Functions bill), from the local endpoint's history. */
export async function stateTransitions(api: TestApi, id: string): Promise<number> {
  await executionEnded(api, id);
  const arn = executionArnOf(api.stack.stateMachineArn, id);
  const { events } = await api.sfn().send(new GetExecutionHistoryCommand({ executionArn: arn }));
  return (events ?? []).filter((e) => e.type?.endsWith('StateEntered')).length;
}

export async function describeExecution(api: TestApi, id: string) {
  const sfn = api.sfn();
  return sfn.send(
    new DescribeExecutionCommand({
      executionArn: executionArnOf(api.stack.stateMachineArn, id),
    }),
  );
}
