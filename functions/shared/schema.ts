/**
 * Request schemas use zod's tree-shakable `zod/mini` build (about 25 KB in a bundle instead of about 440 KB for the
 * classic build), with its English messages, which the 400 answers quote. Import it as `import * as z`.
 */
import { check, config, meta, string, type ZodMiniString } from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { DISPLAY_TEXT_PATTERN, displayTextProblem } from './text.ts';

config(en());

export * from 'zod/mini';

/**
 * A zod check for text people see (`shared/text.ts` says what is refused and why); put it first in a string's checks,
 * so it sees the text as sent, before any trim. The 400 names the field, the character and its position.
 */
export function displayText() {
  return check<string>((ctx) => {
    const problem = displayTextProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });
}

/** A string of display text: `displayText()` first, then the given checks, and the rule as a pattern in the document. */
export const displayString = (...checks: Parameters<ZodMiniString['check']>) =>
  string().check(displayText(), ...checks, meta({ pattern: DISPLAY_TEXT_PATTERN }));
