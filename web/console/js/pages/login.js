// SPDX-License-Identifier: MIT
// Signing in (with the API's own words for a lockout) and changing one's password.
import { api } from '../api.js';
import { announce, busy, errorBox, field, h, openDialog } from '../dom.js';
import { t } from '../i18n.js';

// The login form. `onLogin(account)` runs after a successful login; `notice` is a
// line shown above the form (logged out, session expired).
export function renderLogin(view, { notice, onLogin }) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: false });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password',
    required: true });
  const errors = errorBox();
  const submit = h('button', { type: 'submit', text: t('login.submit') });
  const form = h('form', { class: 'login card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title', text: t('login.title') }),
    notice ? h('p', { class: 'notice', role: 'status', text: notice }) : null,
    field(t('login.username'), username),
    field(t('login.password'), password),
    errors.element,
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, errors, async () => {
      const reply = await api('POST', '/auth/login',
        { username: username.value.trim(), password: password.value });
      onLogin(reply.account);
    }).then(() => {
      if (!errors.element.hidden) password.select();
    });
  });
  view.append(form);
  username.focus();
}

// The "change my password" dialog: current password, new one twice.
export function openPasswordDialog() {
  const current = h('input', { type: 'password', name: 'current_password', autocomplete: 'current-password',
    required: true });
  const fresh = h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password',
    required: true, minLength: 10, maxLength: 256 });
  const again = h('input', { type: 'password', name: 'new_password_again', autocomplete: 'new-password',
    required: true });
  const errors = errorBox();
  const save = h('button', { type: 'submit', form: 'password-form', text: t('common.save') });
  const form = h('form', { id: 'password-form' },
    field(t('account.current_password'), current),
    field(t('account.new_password'), fresh, t('account.password_rule')),
    field(t('account.new_password_again'), again),
    errors.element);
  const dialog = openDialog({ title: t('account.change_password'), body: form, actions: [save] });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (fresh.value !== again.value) {
      errors.show(t('account.passwords_differ'));
      again.focus();
      return;
    }
    busy(save, errors, async () => {
      await api('POST', '/auth/password', { current_password: current.value, new_password: fresh.value });
      dialog.close();
      announce(t('account.password_changed'));
    });
  });
}
