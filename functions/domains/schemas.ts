import type { Request } from '../shared/http.ts';
import * as z from '../shared/schema.ts';
import { canonicalDomain } from './names.ts';

/**
 * The reference's `VerificationCodeRequest`, `DomainVerificationRequest` and `DeleteDomainClaimRequest`: one field,
 * the domain. Its form is checked by `canonicalDomain` (names.ts), which says what is wrong in words.
 */
export const domainClaimRequest = z.object({
  domain_claim_request: z.string().check(z.maxLength(1000)),
});

/** The canonical domain a request's body names (400 `root.invalid_data` when it is not one that can be claimed). */
export const requestedDomain = (req: Request): string =>
  canonicalDomain(req.body(domainClaimRequest).domain_claim_request);
