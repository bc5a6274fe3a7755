/** A few DOM helpers: elements are built with `h()`, text is always set as text (never parsed as HTML). */

type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | number | boolean | undefined | null | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

export function clear(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

let uid = 0;
/** A unique id for label/aria wiring. */
export const nextId = (prefix: string): string => `${prefix}-${++uid}`;

/** A labelled form field: the label is tied to the control, the hint and error are announced with it. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): { wrap: HTMLElement; error: HTMLElement; control: typeof control } {
  control.id ||= nextId('f');
  const error = h('p', { class: 'field-error', id: `${control.id}-error`, hidden: true });
  const hintEl = hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : undefined;
  const described = [hintEl?.id, error.id].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  const wrap = h('div', { class: 'field' }, h('label', { for: control.id }, label), hintEl, control, error);
  return { wrap, error, control };
}

export function showFieldError(
  f: { error: HTMLElement; control: Element },
  message: string | undefined,
): void {
  f.error.textContent = message ?? '';
  f.error.hidden = !message;
  if (message) f.control.setAttribute('aria-invalid', 'true');
  else f.control.removeAttribute('aria-invalid');
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export const formatDateTime = (iso: string | undefined): string =>
  iso ? dateTime.format(new Date(iso)) : '';
export const formatDate = (iso: string | undefined): string => (iso ? dateOnly.format(new Date(iso)) : '');
export const formatTime = (iso: string | undefined): string => (iso ? timeOnly.format(new Date(iso)) : '');

/** A `<time>` element: the machine-readable value beside the words. */
export const time = (iso: string, words = formatDateTime(iso)) => h('time', { datetime: iso }, words);
