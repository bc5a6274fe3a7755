/** Why a sign-in through the SSO bridge cannot go on, as the page the person sees says it (`pages.ts`). */
import { getItem } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { OrganizationItem, UserItem } from '../shared/domain.ts';
import { keys } from '../shared/table.ts';

/** A sign-in that cannot go on: shown to the person as a page (`pages.ts`), with what they can do next. */
export class SsoRefused extends Error {
  override readonly name = 'SsoRefused';
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly next?: { href: string; label: string },
  ) {
    super(message);
  }
}

export async function belongsElsewhere(
  deps: Deps,
  user: UserItem,
  target: OrganizationItem,
): Promise<SsoRefused> {
  const theirs = user.organization_id
    ? await getItem<OrganizationItem>(deps.db, deps.table, keys.organization(user.organization_id))
    : undefined;
  const name = theirs?.name ?? 'another organization';
  return new SsoRefused(
    409,
    'You belong to another organization',
    `You are a member of ${name}, and a person belongs to one organization at a time, so signing in through ${target.name}'s identity provider cannot make you a member of ${target.name}. To move there with your deployments, ask an administrator of ${target.name} for an invitation and use "Move to another organization" in the console.`,
    { href: '/console/#/move', label: 'Move to another organization' },
  );
}

export const staleRequest = () =>
  new SsoRefused(
    400,
    'Sign-in expired',
    'This sign-in was already used or took too long (10 minutes). Start the sign-in again from the console.',
    { href: '/console/', label: 'Open the console' },
  );

export const busy = () =>
  new SsoRefused(
    409,
    'Try again',
    'Your membership kept changing while we signed you in. Start the sign-in again.',
    {
      href: '/console/',
      label: 'Open the console',
    },
  );

export const moving = () =>
  new SsoRefused(
    409,
    'You are moving to another organization',
    'A move of yours with your deployments is under way, and it ends when you accept its invitation. Finish or cancel the move first, then sign in with SSO again.',
    { href: '/console/#/move', label: 'See your move' },
  );

export const addressTaken = (orgName: string) =>
  new SsoRefused(
    409,
    'Your address is already a member',
    `Another account with your address is already a member of ${orgName} (it was added while you signed in). Sign in with SSO again to use it.`,
    { href: '/console/', label: 'Open the console' },
  );
