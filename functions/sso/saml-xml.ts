/**
 * Small DOM helpers for reading SAML documents with @xmldom/xmldom: parsing that refuses DTDs and parse errors, direct
 * children by namespace, and xs:dateTime values. Only `assertion.ts` uses them.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';

export const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

/** The document's root element; undefined when the text is not well-formed XML or declares a DTD (entity tricks). */
export function parseXml(xml: string): Element | undefined {
  if (/<!DOCTYPE/i.test(xml)) return undefined;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
    return doc.documentElement ?? undefined;
  } catch {
    return undefined;
  }
}

/** The element's child elements named `local` in namespace `ns`. */
export const children = (parent: Element, ns: string, local: string): Element[] =>
  Array.from(parent.childNodes)
    .filter((n): n is Element => n.nodeType === n.ELEMENT_NODE && (n as Element).localName === local)
    .filter((e) => e.namespaceURI === ns);

/** The only such child, or undefined when there is none; `many` is called when there are several. */
export function onlyChild(
  parent: Element,
  ns: string,
  local: string,
  many: () => Error,
): Element | undefined {
  const found = children(parent, ns, local);
  if (found.length > 1) throw many();
  return found[0];
}

/** Every element below (and including) `root` whose local name is one of `locals`, whatever its namespace. */
export function descendantsNamed(root: Element, locals: readonly string[]): Element[] {
  const all = [root, ...Array.from(root.getElementsByTagName('*'))];
  return all.filter((e) => locals.includes(e.localName ?? ''));
}

/** The attribute's value, or undefined when it is absent (xmldom answers '' for both). */
export const attr = (el: Element | undefined, name: string): string | undefined =>
  el?.hasAttribute(name) ? (el.getAttribute(name) ?? undefined) : undefined;

/** Text content with surrounding white space removed. */
export const text = (el: Element | undefined): string | undefined => el?.textContent?.trim() || undefined;

/** Milliseconds of an xs:dateTime, or undefined when absent; `bad` is called when it is not a date. */
export function instant(value: string | undefined, bad: () => Error): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d\d-\d\dT/.test(value)) throw bad();
  return ms;
}
