/** Shared pieces: dialogs (native `<dialog>`: focus is kept inside and Escape closes), announcements, error boxes. */
import { ApiError } from './api.ts';
import { h, nextId } from './dom.ts';

/** Polite announcements for screen readers and a visible toast. */
export function announce(message: string): void {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after clearing makes screen readers read a repeated message again.
  setTimeout(() => {
    region.textContent = message;
  }, 30);
}

export const messageOf = (e: unknown): string =>
  e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e);

/** An error area announced when filled (role=alert), cleared when empty. */
export type ErrorBox = HTMLElement & { show(e: unknown): void; reset(): void };

export function errorBox(): ErrorBox {
  const el = h('div', { class: 'error-box', role: 'alert', hidden: true });
  return Object.assign(el, {
    show(e: unknown) {
      el.textContent = messageOf(e);
      el.hidden = false;
    },
    reset() {
      el.textContent = '';
      el.hidden = true;
    },
  });
}

/** Runs an action from a button: busy while it runs, errors shown in `errors` (the service's own message). */
export async function busy<T>(
  button: HTMLButtonElement,
  errors: { show(e: unknown): void; reset(): void },
  action: () => Promise<T>,
): Promise<T | undefined> {
  errors.reset();
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } catch (e) {
    errors.show(e);
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

export interface DialogHandle {
  dialog: HTMLDialogElement;
  body: HTMLElement;
  close(): void;
}

/** A modal dialog with a title; focus returns to what opened it when it closes. */
export function openDialog(title: string, build: (d: DialogHandle) => Node[], opts: { wide?: boolean } = {}) {
  const opener = document.activeElement as HTMLElement | null;
  const titleId = nextId('dialog-title');
  const body = h('div', { class: 'dialog-body' });
  const dialog = h('dialog', { 'aria-labelledby': titleId, class: opts.wide ? 'wide' : undefined });
  const handle: DialogHandle = { dialog, body, close: () => dialog.close() };
  const closeButton = h(
    'button',
    { type: 'button', class: 'icon-button', 'aria-label': 'Close', onclick: () => dialog.close() },
    '×',
  );
  dialog.append(h('div', { class: 'dialog-head' }, h('h2', { id: titleId }, title), closeButton), body);
  body.append(...build(handle));
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  const first = body.querySelector<HTMLElement>('input, select, textarea, button:not(.icon-button)');
  first?.focus();
  return handle;
}

/** Asks before doing something that cannot be undone; the action's refusal is shown inside the dialog. */
export function confirmAction(opts: {
  title: string;
  text: string;
  confirm: string;
  /** The button that closes the dialog and does nothing (default "Cancel"). */
  dismiss?: string;
  danger?: boolean;
  action: () => Promise<void>;
}): void {
  openDialog(opts.title, (d) => {
    const errors = errorBox();
    const yes = h('button', { type: 'button', class: opts.danger ? 'danger' : 'primary' }, opts.confirm);
    yes.addEventListener('click', async () => {
      let ok = false;
      await busy(yes, errors, async () => {
        await opts.action();
        ok = true;
      });
      if (ok) d.close();
    });
    return [
      h('p', {}, opts.text),
      errors,
      h(
        'div',
        { class: 'actions' },
        yes,
        h('button', { type: 'button', onclick: () => d.close() }, opts.dismiss ?? 'Cancel'),
      ),
    ];
  });
}

/** A row's actions menu: a disclosure button, keyboard-operable, closing on Escape or outside clicks. */
export function actionsMenu(
  label: string,
  items: { text: string; danger?: boolean; run: () => void }[],
): HTMLElement {
  const menuId = nextId('menu');
  const button = h(
    'button',
    {
      type: 'button',
      class: 'menu-button',
      'aria-expanded': 'false',
      'aria-controls': menuId,
      'aria-label': label,
    },
    'Actions ▾',
  );
  const list = h('ul', { id: menuId, class: 'menu', hidden: true });
  const wrap = h('div', { class: 'menu-wrap' }, button, list);
  const close = (focus: boolean) => {
    list.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (focus) button.focus();
    document.removeEventListener('click', outside, true);
  };
  const outside = (e: Event) => {
    if (!wrap.contains(e.target as Node)) close(false);
  };
  for (const item of items) {
    const b = h(
      'button',
      { type: 'button', class: item.danger ? 'menu-item danger-text' : 'menu-item' },
      item.text,
    );
    b.addEventListener('click', () => {
      close(true);
      item.run();
    });
    list.append(h('li', {}, b));
  }
  button.addEventListener('click', () => {
    const open = list.hidden;
    list.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) {
      list.querySelector('button')?.focus();
      document.addEventListener('click', outside, true);
    } else document.removeEventListener('click', outside, true);
  });
  wrap.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !list.hidden) {
      e.stopPropagation();
      close(true);
    }
    if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && !list.hidden) {
      const buttons = [...list.querySelectorAll('button')];
      const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
      const next = buttons[(i + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length];
      next?.focus();
      e.preventDefault();
    }
  });
  return wrap;
}

export const badge = (text: string, tone: 'ok' | 'warn' | 'bad' | 'info' = 'info') =>
  h('span', { class: `badge ${tone}` }, text);

/**
 * A value to copy: the value in `<code>`, a copy button and a status saying it was copied (or selected, for Ctrl-C,
 * where the clipboard is refused).
 */
export function copyRow(value: string, opts: { label?: string; id?: string } = {}): HTMLElement {
  const copied = h('span', { class: 'hint', role: 'status' });
  const copy = h('button', { type: 'button' }, opts.label ?? 'Copy');
  const code = h('code', { id: opts.id }, value);
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value);
      copied.textContent = 'Copied.';
    } catch {
      // No clipboard (an insecure origin, or refused): select the value so Ctrl-C copies it.
      getSelection()?.selectAllChildren(code);
      copied.textContent = 'Selected: press Ctrl-C (⌘C) to copy.';
    }
  });
  return h('p', { class: 'id-row' }, code, copy, copied);
}
