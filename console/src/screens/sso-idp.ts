/**
 * The Single sign-on tab's identity provider card: the IdP's side (issuer, SSO URL, certificate, prefix, on or off,
 * SSO required) saved with `PUT …/idp`, and ours to give it (entity id, ACS, metadata.xml), the test sign-in link
 * (`sso_login_url`) and Delete.
 */
import { ApiError, api, ok, type Schemas } from '../api.ts';
import { field, h, nextId } from '../dom.ts';
import { reload } from '../router.ts';
import { announce, busy, confirmAction, copyRow, errorBox } from '../ui.ts';

type Idp = Schemas['OrganizationIdp'];

const checkbox = (label: string, checked: boolean) => {
  const id = nextId('check');
  const control = h('input', { type: 'checkbox', id, checked });
  return { control, wrap: h('div', { class: 'check' }, control, h('label', { for: id }, label)) };
};

/** PEM blocks from the textarea (several for a rotation), or the text as it is (bare base64 from metadata). */
function certificates(text: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  return blocks ?? (text.trim() ? [text.trim()] : []);
}

export async function idpCard(orgId: string): Promise<HTMLElement> {
  const path = { params: { path: { organization_id: orgId } } };
  let idp: Idp | undefined;
  try {
    idp = await ok(api().GET('/api/v1/organizations/{organization_id}/idp', path));
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  const conf = idp?.configuration;
  const issuer = field(
    'IdP issuer (entity id)',
    h('input', { type: 'text', required: true, value: conf?.saml_idp.issuer ?? '', autocomplete: 'off' }),
  );
  const ssoUrl = field(
    'IdP single sign-on URL',
    h('input', { type: 'url', required: true, value: conf?.saml_idp.sso_url ?? '', autocomplete: 'off' }),
  );
  const cert = field(
    'IdP signing certificate (PEM)',
    h('textarea', { rows: 6, required: true, spellcheck: 'false', class: 'mono' }),
    'Paste one or more certificates: several while the IdP rotates its key.',
  );
  cert.control.value = conf?.saml_idp.public_certificate.join('\n') ?? '';
  const prefix = field(
    'Login identifier prefix',
    h('input', {
      type: 'text',
      required: true,
      value: conf?.login_identifier_prefix ?? '',
      pattern: '[a-z0-9-]{1,32}',
      autocomplete: 'off',
    }),
    'Lower-case letters, digits and hyphens: it starts your organization’s login identifier.',
  );
  const enabled = checkbox('Enabled', conf?.enabled ?? true);
  const required = checkbox('Require SSO for members in these domains', conf?.sso_required ?? false);
  const errors = errorBox();
  const save = h('button', { type: 'submit', class: 'primary' }, idp ? 'Save identity provider' : 'Connect');
  const form = h(
    'form',
    { class: 'idp-form' },
    issuer.wrap,
    ssoUrl.wrap,
    cert.wrap,
    prefix.wrap,
    enabled.wrap,
    required.wrap,
    errors,
    h('div', { class: 'actions' }, save),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const saved = await busy(save, errors, () =>
      ok(
        api().PUT('/api/v1/organizations/{organization_id}/idp', {
          ...path,
          body: {
            enabled: enabled.control.checked,
            sso_required: required.control.checked,
            login_identifier_prefix: prefix.control.value.trim(),
            saml_idp: {
              issuer: issuer.control.value.trim(),
              sso_url: ssoUrl.control.value.trim(),
              public_certificate: certificates(cert.control.value),
            },
          },
        }),
      ),
    );
    if (saved) {
      announce('Identity provider saved.');
      await reload();
    }
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'sso-idp' },
    h('h2', { id: 'sso-idp' }, 'Identity provider'),
    idp
      ? undefined
      : h('p', {}, 'Connect your SAML 2.0 identity provider (Okta, Entra ID, Google Workspace…).'),
    form,
    idp ? ourSide(orgId, idp) : undefined,
  );
}

/** What the IdP needs from us, the test link, and Delete. */
function ourSide(orgId: string, idp: Idp): HTMLElement {
  const path = { params: { path: { organization_id: orgId } } };
  const errors = errorBox();
  const xml = h('div', { class: 'metadata' });
  const show = h('button', { type: 'button' }, 'Get metadata.xml');
  // The metadata needs the bearer token, so it is fetched here and offered as a file, and shown.
  show.addEventListener('click', () =>
    busy(show, errors, async () => {
      const text = await ok(
        api().GET('/api/v1/organizations/{organization_id}/idp/metadata.xml', { ...path, parseAs: 'text' }),
      );
      const href = URL.createObjectURL(new Blob([text as string], { type: 'application/xml' }));
      xml.replaceChildren(
        h('a', { href, download: 'metadata.xml' }, 'Download metadata.xml'),
        h('pre', { tabindex: '0', 'aria-label': 'metadata.xml' }, text as string),
      );
    }),
  );
  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete identity provider');
  remove.addEventListener('click', () =>
    confirmAction({
      title: 'Delete the identity provider?',
      text: 'Nobody can sign in through it any more; members keep their roles.',
      confirm: 'Delete',
      danger: true,
      action: async () => {
        await ok(api().DELETE('/api/v1/organizations/{organization_id}/idp', path));
        announce('Identity provider deleted.');
        await reload();
      },
    }),
  );
  return h(
    'div',
    { class: 'our-side' },
    h('h3', {}, 'For your identity provider'),
    h('p', { class: 'label' }, 'Entity id (audience)'),
    copyRow(idp.sp_entity_id, { label: 'Copy entity id', id: 'sp-entity-id' }),
    h('p', { class: 'label' }, 'Assertion consumer service (ACS) URL'),
    copyRow(idp.acs, { label: 'Copy ACS URL', id: 'sp-acs' }),
    h('div', { class: 'actions' }, show, h('a', { href: idp.sso_login_url }, 'Test sign-in')),
    xml,
    errors,
    h('div', { class: 'actions' }, remove),
  );
}
