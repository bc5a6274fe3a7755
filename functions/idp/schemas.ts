import * as z from '../shared/schema.ts';
import { MAX_CERTIFICATES } from './certificates.ts';

/** An https URL (http only on this machine: the local IdP of `npm start`). */
const ssoUrl = z.string().check(
  z.maxLength(2048),
  z.refine((value) => {
    try {
      const url = new URL(value);
      const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
      return url.protocol === 'https:' || (url.protocol === 'http:' && local);
    } catch {
      return false;
    }
  }, 'must be an https URL (the IdP’s SAML HTTP-POST or HTTP-Redirect sign-in endpoint)'),
);

/** The reference's `IdpConfigurationRequest` and its `SamlIdp`. */
export const idpConfigurationRequest = z.object({
  enabled: z.boolean(),
  /** Ours: members whose address is in a verified domain act on the organization only after an SSO sign-in. */
  sso_required: z.optional(z.boolean()),
  login_identifier_prefix: z
    .string()
    .check(
      z.regex(
        /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/,
        'must be 1-32 lower-case letters, digits and hyphens, not starting or ending with a hyphen',
      ),
    ),
  saml_idp: z.object({
    issuer: z.displayString(z.minLength(1), z.maxLength(1024)),
    sso_url: ssoUrl,
    public_certificate: z
      .array(z.string().check(z.maxLength(16 * 1024)))
      .check(
        z.minLength(1, 'needs at least one signing certificate'),
        z.maxLength(MAX_CERTIFICATES, `holds at most ${MAX_CERTIFICATES} certificates`),
      ),
  }),
});

export type IdpConfigurationRequest = z.infer<typeof idpConfigurationRequest>;
