/** Request bodies of the bills routes (no AWS client here, so the API document can import them). */
import * as z from '../shared/schema.ts';

export const billRequest = z.strictObject({
  amount_cents: z.int().check(z.positive(), z.maximum(100_000_000_00)),
  currency: z._default(z.string().check(z.regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')), 'USD'),
  description: z.displayString(z.trim(), z.minLength(1), z.maxLength(200)),
});
