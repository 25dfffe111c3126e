// SPDX-License-Identifier: MIT
// Accounts: the list, creating operators and chairs, new passwords, disabling.
import { api } from '../api.js';
import { announce, busy, confirmDialog, errorBox, field, h, openDialog, replace, select, table } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../time.js';

// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
function randomPassword() {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function passwordInput(name) {
  const input = h('input', { name, required: true, minLength: 10, maxLength: 256, autocomplete: 'new-password',
    spellcheck: false });
  const generate = h('button', { type: 'button', class: 'secondary small', text: t('accounts.generate'),
    onclick: () => { input.value = randomPassword(); input.focus(); input.select(); } });
  const element = h('div', { class: 'with-button' },
    field(t('accounts.password'), input, t('account.password_rule')), generate);
  return { input, element };
}

export async function renderAccounts(view, match, ctx) {
  const box = h('div', { id: 'account-list' });
  const listErrors = errorBox();

  async function draw() {
    const accounts = await api('GET', '/accounts');
    replace(box, table(null, [t('accounts.username'), t('accounts.role'), t('accounts.state'), t('accounts.created_at'),
      t('accounts.password_changed'), t('common.actions')],
    accounts.map((a) => [a.username, t(`role.${a.role}`),
      a.disabled ? t('accounts.disabled') : a.locked ? t('accounts.locked') : t('accounts.active'),
      formatDateTime(a.created_at), formatDateTime(a.password_changed_at) || '—',
      a.id === ctx.me.id ? h('span', { class: 'hint', text: t('accounts.you') }) : h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'secondary small', text: t('accounts.reset_password'),
          'aria-label': `${t('accounts.reset_password')}: ${a.username}`, onclick: () => resetDialog(a) }),
        h('button', { type: 'button', class: a.disabled ? 'secondary small' : 'danger small',
          text: a.disabled ? t('accounts.enable') : t('accounts.disable'),
          'aria-label': `${a.disabled ? t('accounts.enable') : t('accounts.disable')}: ${a.username}`,
          onclick: (event) => toggle(a, event.currentTarget) }))]), { class: 'accounts' }));
  }

  async function toggle(account, button) {
    if (!account.disabled && !(await confirmDialog(t('accounts.disable'),
      t('accounts.confirm_disable', { name: account.username }), t('accounts.disable')))) return;
    await busy(button, listErrors, async () => {
      await api('PATCH', `/accounts/${account.id}`, { disabled: !account.disabled });
      announce(t('common.saved'));
      await draw();
    });
  }

  function resetDialog(account) {
    const password = passwordInput('reset-password');
    const errors = errorBox();
    const save = h('button', { type: 'submit', form: 'reset-form', text: t('common.save') });
    const form = h('form', { id: 'reset-form' }, h('p', { text: t('accounts.reset_help') }), password.element,
      errors.element);
    const dialog = openDialog({ title: t('accounts.reset_title', { name: account.username }), body: form,
      actions: [save] });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(save, errors, async () => {
        await api('PATCH', `/accounts/${account.id}`, { password: password.input.value });
        dialog.close();
        announce(t('accounts.password_set', { name: account.username }));
        await draw();
      });
    });
  }

  const username = h('input', { name: 'new-username', required: true, maxLength: 64, autocomplete: 'off',
    autocapitalize: 'none', spellcheck: false });
  const role = select([['chair', t('role.chair')], ['operator', t('role.operator')]], 'chair', { name: 'new-role' });
  const password = passwordInput('new-password');
  const errors = errorBox();
  const create = h('button', { type: 'submit', text: t('accounts.create') });
  const form = h('form', { class: 'card', id: 'account-form' }, h('h2', { text: t('accounts.new') }),
    h('div', { class: 'row' }, field(t('accounts.username'), username, t('accounts.username_rule')),
      field(t('accounts.role'), role)),
    password.element, errors.element, h('div', { class: 'actions' }, create));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(create, errors, async () => {
      const account = await api('POST', '/accounts', { username: username.value.trim(), role: role.value,
        password: password.input.value });
      form.reset();
      announce(t('accounts.created', { name: account.username }));
      await draw();
    });
  });
  view.append(h('h1', { text: t('accounts.title') }), listErrors.element, box, form);
  await draw();
}
