/** The migration as the API shows it: the view of one, reading your own, listing yours. */
import { queryPage } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { MigrationItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { queries } from '../shared/table.ts';
import { stepsView } from './progress.ts';
import { getMigration } from './store.ts';

export const migrationNotFound = () => new ApiError('migration.not_found', 'Migration not found.');

/**
 * What the console shows: the migration and every step of the workflow (`history`, see `progress.ts`), each with its
 * status, its times when known and, on failure, the error. Fields are picked, never spread: the wait's task token
 * (and whatever else the item learns to hold) stays out.
 */
export const toView = (m: MigrationItem) => ({
  id: m.id,
  user_id: m.user_id,
  email: m.email,
  source_organization_id: m.source_organization_id,
  target_organization_id: m.target_organization_id,
  repository_id: m.repository_id,
  status: m.status,
  current_step: m.current_step,
  history: stepsView(m),
  ...(m.plan ? { plan: m.plan } : {}),
  ...(m.leaving_at ? { leaving_at: m.leaving_at } : {}),
  ...(m.left_at ? { left_at: m.left_at } : {}),
  ...(m.cancel_requested_at ? { cancel_requested_at: m.cancel_requested_at } : {}),
  ...(m.restored ? { restored: m.restored } : {}),
  ...(m.error ? { error: m.error } : {}),
  ...(m.cause ? { cause: m.cause } : {}),
  created_at: m.created_at,
  updated_at: m.updated_at,
  ...(m.finished_at ? { finished_at: m.finished_at } : {}),
});

export async function getOwnMigration(deps: Deps, caller: Caller, id: string): Promise<MigrationItem> {
  const m = await getMigration(deps, id);
  if (!m || m.user_id !== caller.userId) throw migrationNotFound();
  return m;
}

export async function listMigrations(deps: Deps, caller: Caller) {
  // The 50 newest: a person looks at their latest moves, not their whole history.
  const { items } = await queryPage<MigrationItem>(
    deps.db,
    deps.table,
    queries.migrationsOfUser(caller.userId),
    {
      limit: 50,
    },
  );
  return items.map(toView);
}
