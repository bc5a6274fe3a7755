/**
 * Text that people see (names, descriptions) in pages, the console and email headers: what it may not contain.
 *
 * Refused: C0 controls (tab, CR and LF included), DEL and C1 controls, which break headers and log lines; the line and
 * paragraph separators U+2028/U+2029, which end lines where a reader does not expect it; the bidi embeddings,
 * overrides and isolates U+202A–U+202E and U+2066–U+2069, which make a name read differently from what it holds
 * ("Trojan Source"); and U+FFFD, which in a name only ever means bytes that were not UTF-8 got replaced on the way.
 * Zero-width joiners and non-joiners stay allowed: emoji sequences and Persian or Indic writing need them.
 */
const UNSAFE_CLASS = '\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069\\uFFFD';
const UNSAFE = new RegExp(`[${UNSAFE_CLASS}]`);
const UNSAFE_ALL = new RegExp(`[${UNSAFE_CLASS}]+`, 'g');

/** The same rule as a JSON Schema pattern, for the API document. */
export const DISPLAY_TEXT_PATTERN = `^[^${UNSAFE_CLASS}]*$`;

const kind = (c: number): string =>
  c <= 0x1f || (c >= 0x7f && c <= 0x9f)
    ? 'a control character'
    : c === 0x2028 || c === 0x2029
      ? 'a line or paragraph separator'
      : c === 0xfffd
        ? 'the replacement character (bytes that were not UTF-8)'
        : 'a bidirectional formatting character';

/** What is wrong with the text for a person, or undefined: `contains a control character (U+000D) at position 2`. */
export function displayTextProblem(s: string): string | undefined {
  if (!UNSAFE.test(s)) return undefined;
  let position = 0;
  for (const ch of s) {
    position++;
    const c = ch.codePointAt(0)!;
    if (UNSAFE.test(ch)) {
      const hex = c.toString(16).toUpperCase().padStart(4, '0');
      return `contains ${kind(c)} (U+${hex}) at position ${position}; use plain text on one line`;
    }
  }
  return undefined;
}

/** One line of plain text, whatever was stored: each run of refused characters becomes one space (email subjects). */
export const oneLine = (s: string): string => s.replace(UNSAFE_ALL, ' ');
