/** The Members tab's Edit role dialog (Invite members is invite-dialog.ts). */
import { h } from '../dom.ts';
import { emptyChosenScopes, roleChanges, toChoice } from '../roles.ts';
import { reload } from '../router.ts';
import type { Member, Session } from '../session.ts';
import { announce, busy, errorBox, openDialog } from '../ui.ts';
import { changeRoles } from './member-api.ts';
import type { Resource } from './resources.ts';
import { roleForm } from './roleform.ts';

export interface DialogContext {
  s: Session;
  org: { id: string; name: string };
  resources: () => { deployments: Resource[]; projects: Resource[] };
  /** Reads the list again, once something changed. */
  refresh: () => Promise<void>;
}

export function memberDialogs({ s, org, resources: resourcesOf, refresh }: DialogContext) {
  const editRole = (m: Member) => {
    openDialog(
      `Edit role: ${m.name ?? m.email}`,
      (d) => {
        const form = roleForm(toChoice(m.role_assignments), resourcesOf());
        const formErrors = errorBox();
        const save = h('button', { type: 'submit', class: 'primary' }, 'Save roles');
        const el = h(
          'form',
          {},
          h('p', {}, `Roles of ${m.email} in ${org.name}.`),
          form.element,
          formErrors,
          h(
            'div',
            { class: 'actions' },
            save,
            h('button', { type: 'button', onclick: () => d.close() }, 'Cancel'),
          ),
        );
        el.addEventListener('submit', async (e) => {
          e.preventDefault();
          const wanted = form.value();
          const empty = emptyChosenScopes(wanted);
          if (empty.length) {
            formErrors.show(new Error(`Choose at least one resource for: ${empty.join(', ')}.`));
            return;
          }
          let done = false;
          await busy(save, formErrors, async () => {
            for (const step of roleChanges(org.id, m.role_assignments, wanted))
              await changeRoles(step.method, m.user_id, step.body);
            done = true;
          });
          if (done || formErrors.hidden === false) {
            // Something may have changed even when a later step was refused: show what is true now.
            if (m.user_id === s.userId) await reload();
            else await refresh();
          }
          if (done) {
            announce(`Roles of ${m.email} saved.`);
            d.close();
          }
        });
        return [el];
      },
      { wide: true },
    );
  };

  return { editRole };
}
