/**
 * The Single sign-on tab, for organization admins: the claimed domains (a TXT record to publish, then verify), the
 * organization's SAML identity provider (sso-idp.ts) and the role mappings (sso-mappings.ts). Everything goes through
 * the typed client; the service's refusals are shown with its own messages.
 */
import { ApiError, api, ok } from '../api.ts';
import { field, h } from '../dom.ts';
import { reload } from '../router.ts';
import type { Session } from '../session.ts';
import { announce, busy, confirmAction, copyRow, errorBox } from '../ui.ts';
import { idpCard } from './sso-idp.ts';
import { mappingsCard } from './sso-mappings.ts';

export async function renderSso(main: HTMLElement, s: Session): Promise<void> {
  const org = s.org!;
  main.append(
    h('h1', { tabindex: '-1' }, 'Single sign-on'),
    h(
      'p',
      { class: 'lead' },
      `Let people at your company's domains sign in to ${org.name} through your identity provider.`,
    ),
    ...(await Promise.all([domainsCard(org.id), idpCard(org.id), mappingsCard(org.id)])),
  );
}

async function domainsCard(orgId: string): Promise<HTMLElement> {
  const path = { params: { path: { organization_id: orgId } } };
  const { domains } = await ok(api().GET('/api/v1/organizations/{organization_id}/domains', path));
  const errors = errorBox();
  const list = domains.length
    ? h(
        'ul',
        { class: 'domain-list' },
        domains.map((d) => {
          const remove = h(
            'button',
            { type: 'button', class: 'link-button danger-text', 'aria-label': `Remove ${d}` },
            'Remove',
          );
          remove.addEventListener('click', () =>
            confirmAction({
              title: `Remove ${d}?`,
              text: `People at ${d} can no longer sign in through your identity provider, and another organization may claim it.`,
              confirm: 'Remove',
              danger: true,
              action: async () => {
                await ok(
                  api().DELETE('/api/v1/organizations/{organization_id}/domains', {
                    ...path,
                    body: { domain_claim_request: d },
                  }),
                );
                announce(`${d} removed.`);
                await reload();
              },
            }),
          );
          return h('li', { 'data-domain': d }, h('span', { class: 'domain' }, d), ' ', remove);
        }),
      )
    : h('p', { class: 'empty' }, 'No verified domains yet.');

  const domain = field(
    'Domain',
    h('input', { type: 'text', required: true, autocomplete: 'off', placeholder: 'acme.com' }),
    'A domain of your people’s email addresses.',
  );
  const generate = h('button', { type: 'submit' }, 'Add domain');
  const pending = h('div', { class: 'pending-claim' });
  const form = h('form', { class: 'inline-form' }, domain.wrap, generate);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = domain.control.value.trim();
    const code = await busy(generate, errors, () =>
      ok(
        api().POST('/api/v1/organizations/{organization_id}/domains/_generate_verification_code', {
          ...path,
          body: { domain_claim_request: name },
        }),
      ),
    );
    if (code) pending.replaceChildren(verifyPanel(orgId, name, code.record ?? '', code.verification));
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'sso-domains' },
    h('h2', { id: 'sso-domains' }, 'Claimed domains'),
    list,
    form,
    errors,
    pending,
  );
}

/** The record to publish, and Verify: 449 (not visible yet) is a state to wait out, not an error. */
function verifyPanel(orgId: string, domain: string, record: string, value: string): HTMLElement {
  const errors = errorBox();
  const status = h('p', { class: 'hint', role: 'status' });
  const verify = h('button', { type: 'button', class: 'primary' }, 'Verify');
  verify.addEventListener('click', async () => {
    status.textContent = '';
    let done = false;
    await busy(verify, errors, async () => {
      try {
        await ok(
          api().POST('/api/v1/organizations/{organization_id}/domains/_verify', {
            params: { path: { organization_id: orgId } },
            body: { domain_claim_request: domain },
          }),
        );
        done = true;
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 449)) throw e;
        status.textContent = `Not visible yet: ${e.message}`;
      }
    });
    if (done) {
      announce(`${domain} is verified.`);
      await reload();
    }
  });
  return h(
    'div',
    { class: 'verify-panel', 'data-domain': domain },
    h('h3', {}, `Verify ${domain}`),
    h(
      'p',
      {},
      'Publish this TXT record in your DNS, then verify. DNS changes can take a few minutes to show.',
    ),
    h('p', { class: 'label' }, 'Record name'),
    copyRow(record, { label: 'Copy name', id: 'txt-name' }),
    h('p', { class: 'label' }, 'Value'),
    copyRow(value, { label: 'Copy value', id: 'txt-value' }),
    h('div', { class: 'actions' }, verify),
    status,
    errors,
  );
}
