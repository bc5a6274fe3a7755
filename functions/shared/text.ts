/**
 * Text that people see (names, descriptions) in pages, the console and email headers: what it may not contain.
 *
 * Refused: control characters (Unicode Cc: C0 with tab, CR and LF, DEL, C1), which break headers and log lines; the
 * line and paragraph separators U+2028/U+2029, which end lines where a reader does not expect it; every invisible
 * format character (Unicode Cf): the bidi embeddings, overrides, isolates and marks (U+202A–U+202E, U+2066–U+2069,
 * U+200E/U+200F, U+061C), which make a name read differently from what it holds ("Trojan Source"), and the zero-width
 * space, soft hyphen, word joiner, BOM and the like, which make two names that look the same differ; private-use
 * characters, which render as nothing anyone agreed on; and U+FFFD, which in a name only ever means bytes that were
 * not UTF-8 got replaced on the way. Allowed on purpose: the zero-width joiner and non-joiner (emoji sequences,
 * Persian and Indic writing need them) and the tag characters of flag emoji (U+E0020–U+E007F).
 */
const ALLOWED_FORMAT = '\\u200C\\u200D\\u{E0020}-\\u{E007F}';
const REFUSED_CLASS = '\\p{Cc}\\p{Cf}\\p{Co}\\p{Zl}\\p{Zp}\\uFFFD';
const UNSAFE = new RegExp(`(?![${ALLOWED_FORMAT}])[${REFUSED_CLASS}]`, 'u');
const UNSAFE_ALL = new RegExp(`(?:(?![${ALLOWED_FORMAT}])[${REFUSED_CLASS}])+`, 'gu');

/** The same rule as a JSON Schema pattern (ECMA-262 with the `u` flag, as JSON Schema validators read it). */
export const DISPLAY_TEXT_PATTERN = `^(?:[${ALLOWED_FORMAT}]|[^${REFUSED_CLASS}])*$`;

const kind = (c: number): string =>
  c <= 0x1f || (c >= 0x7f && c <= 0x9f)
    ? 'a control character'
    : c === 0x2028 || c === 0x2029
      ? 'a line or paragraph separator'
      : c === 0xfffd
        ? 'the replacement character (bytes that were not UTF-8)'
        : (c >= 0x202a && c <= 0x202e) ||
            (c >= 0x2066 && c <= 0x2069) ||
            c === 0x200e ||
            c === 0x200f ||
            c === 0x061c
          ? 'a bidirectional formatting character'
          : /\p{Co}/u.test(String.fromCodePoint(c))
            ? 'a private-use character'
            : 'an invisible formatting character';

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
