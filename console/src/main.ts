/** The console's entry: load the settings, finish a sign-in redirect, then route by the address's fragment. */
import { claims, handleCallback, signInWithSso, signOut } from './auth.ts';
import { loadConfig } from './config.ts';
import { clear, h } from './dom.ts';
import { isOrgAdmin } from './roles.ts';
import { setRouter } from './router.ts';
import { renderMembers } from './screens/members.ts';
import { renderMigration } from './screens/migration.ts';
import { renderMove } from './screens/move.ts';
import { renderResources } from './screens/resources.ts';
import { renderSettings } from './screens/settings.ts';
import { renderSignIn } from './screens/signin.ts';
import { renderSso } from './screens/sso.ts';
import { renderWelcome } from './screens/welcome.ts';
import { clearSession, refreshSession, type Session, session } from './session.ts';
import { errorBox } from './ui.ts';

const app = document.getElementById('app')!;

interface Screen {
  title: string;
  render(main: HTMLElement, s: Session, param?: string): Promise<void>;
  tab?: string;
  /** Only organization admins see the tab and the screen. */
  admin?: boolean;
}

const SCREENS: Record<string, Screen> = {
  members: { title: 'Members', tab: 'members', render: renderMembers },
  resources: { title: 'Deployments and projects', tab: 'resources', render: renderResources },
  move: { title: 'Move to another organization', tab: 'move', render: renderMove },
  migrations: { title: 'Migration', tab: 'move', render: renderMigration },
  settings: { title: 'Organization settings', tab: 'settings', render: renderSettings },
  sso: { title: 'Single sign-on', tab: 'sso', render: renderSso, admin: true },
  welcome: { title: 'Get started', render: renderWelcome },
};

const TABS: [string, string][] = [
  ['members', 'Members'],
  ['resources', 'Deployments and projects'],
  ['move', 'Move to another organization'],
  ['settings', 'Settings'],
  ['sso', 'Single sign-on'],
];

function shell(s: Session, active?: string): HTMLElement {
  const main = h('main', { id: 'main', tabindex: '-1' });
  const signOutButton = h('button', { type: 'button', class: 'link-button' }, 'Sign out');
  signOutButton.addEventListener('click', async () => {
    await signOut();
    clearSession();
    location.hash = '';
    await route();
  });
  const nav = s.org
    ? h(
        'nav',
        { 'aria-label': 'Organization', class: 'tabs' },
        h(
          'ul',
          {},
          TABS.filter(([id]) => !SCREENS[id]?.admin || isOrgAdmin(s.me?.role_assignments)).map(
            ([id, label]) =>
              h(
                'li',
                {},
                h('a', { href: `#/${id}`, 'aria-current': id === active ? 'page' : undefined }, label),
              ),
          ),
        ),
      )
    : undefined;
  clear(
    app,
    h('a', { class: 'skip-link', href: '#main', onclick: skipToMain }, 'Skip to content'),
    h(
      'header',
      { class: 'top' },
      h('a', { href: '#/', class: 'brand' }, 'Organization console'),
      s.org ? h('span', { class: 'org-name' }, s.org.name) : undefined,
      h(
        'div',
        { class: 'who' },
        h('span', { class: 'who-email', title: s.email }, s.name ? `${s.name} (${s.email})` : s.email),
        signOutButton,
      ),
    ),
    nav,
    noRolesNote(s),
    main,
  );
  return main;
}

/** A member with no roles (an SSO sign-in no mapping matched, or roles taken away) is told what to do. */
function noRolesNote(s: Session): HTMLElement | undefined {
  const ra = s.me?.role_assignments;
  if (!s.org || !ra) return undefined;
  const any = Object.values(ra).some((v) =>
    Array.isArray(v) ? v.length > 0 : Object.values(v ?? {}).some((l) => (l as unknown[]).length > 0),
  );
  return any
    ? undefined
    : h('p', { class: 'note no-roles', role: 'note' }, 'You have no roles yet: ask an organization admin.');
}

function skipToMain(e: Event) {
  e.preventDefault();
  document.getElementById('main')?.focus();
}

let lastFocusTarget = '';

async function route(): Promise<void> {
  const [name = '', param] = location.hash.replace(/^#\/?/, '').split('/');
  if (!claims()) {
    clearSession();
    document.title = 'Sign in · Organization console';
    clear(app);
    await renderSignIn(app);
    return;
  }
  let s = session();
  try {
    s ??= await refreshSession();
  } catch (e) {
    const box = errorBox();
    clear(app, h('main', { id: 'main' }, h('h1', {}, 'The console could not load'), box));
    box.show(e);
    return;
  }
  if (!s) return;
  let key = name in SCREENS ? name : s.org ? 'members' : 'welcome';
  // Organization screens need an organization; the welcome screen is for people without one.
  if (!s.org && key !== 'migrations' && key !== 'welcome') key = 'welcome';
  if (s.org && key === 'welcome') key = 'members';
  if (SCREENS[key]!.admin && !isOrgAdmin(s.me?.role_assignments)) key = 'members';
  const screen = SCREENS[key]!;
  document.title = `${screen.title} · Organization console`;
  const main = shell(s, screen.tab);
  await screen.render(main, s, param ? decodeURIComponent(param) : undefined);
  // Move focus to the new screen's heading, so keyboard and screen-reader users start there (not on first load).
  const target = `${key}/${param ?? ''}`;
  if (lastFocusTarget && lastFocusTarget !== target) main.querySelector<HTMLElement>('h1')?.focus();
  lastFocusTarget = target;
}

setRouter(route);
window.addEventListener('hashchange', () => void route());

async function start() {
  try {
    await loadConfig();
    // The IdP's `sso_login_url` lands here as `/console/?sso=<login identifier>`: sign in through that IdP.
    const sso = new URLSearchParams(location.search).get('sso');
    if (!(await handleCallback()) && sso) {
      await signInWithSso(`org:${sso}`);
      return;
    }
  } catch (e) {
    const box = errorBox();
    clear(app, h('main', { id: 'main' }, h('h1', {}, 'Sign-in did not complete'), box));
    box.show(e);
    return;
  }
  await route();
}

void start();
