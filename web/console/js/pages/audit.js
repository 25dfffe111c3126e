// SPDX-License-Identifier: MIT
// The audit log: filters by actor, action (a prefix) and dates; pages of 20 to 200
// entries, older ones fetched with `before` (the id of the last entry shown).
import { api, query } from '../api.js';
import { busy, errorBox, field, h, InputError, replace, select, table } from '../dom.js';
import { t } from '../i18n.js';
import { dayStart, formatDateTimeSeconds, parseDate } from '../time.js';

const PAGE_SIZES = [20, 50, 100, 200];
let pageSize = 50;
const ACTIONS = ['auth.', 'account.', 'unit.', 'endpoint.', 'meeting.', 'series.', 'material.', 'attendance.'];

export async function renderAudit(view) {
  const actor = h('input', { name: 'actor', autocomplete: 'off' });
  const action = h('input', { name: 'action', list: 'audit-actions', autocomplete: 'off' });
  const since = h('input', { name: 'since', placeholder: t('time.date_placeholder'), inputMode: 'numeric' });
  const until = h('input', { name: 'until', placeholder: t('time.date_placeholder'), inputMode: 'numeric' });
  const size = select(PAGE_SIZES.map((n) => [n, String(n)]), pageSize, { name: 'page-size' });
  const errors = errorBox();
  const apply = h('button', { type: 'submit', text: t('audit.apply') });
  const box = h('div', { id: 'audit-log' });
  const pager = h('div', { class: 'toolbar', id: 'audit-pager' });
  // The `before` id of each page shown so far, for "newer"; the filters applied (the
  // fields may have changed since).
  let pages = [null];
  let applied = null;

  function filters() {
    pageSize = Number(size.value);
    const out = { actor: actor.value.trim(), action: action.value.trim(), limit: pageSize };
    if (since.value.trim()) {
      const from = parseDate(since.value);
      if (from === null) throw new InputError(t('time.invalid_date', { field: t('audit.since') }));
      out.since = from;
    }
    if (until.value.trim()) {
      const to = parseDate(until.value);
      if (to === null) throw new InputError(t('time.invalid_date', { field: t('audit.until') }));
      out.until = dayStart(to, 1) - 1; // the whole day
    }
    return out;
  }

  // Shows the page before id `before` (null: the newest); `refocus` names the pager
  // button to give focus back to after the redraw.
  async function load(before, refocus) {
    const params = { ...applied };
    if (before) params.before = before;
    const entries = await api('GET', `/audit${query(params)}`);
    replace(box, entries.length
      ? table(t('audit.caption', { n: entries.length }), [t('audit.at'), t('audit.actor'), t('audit.action'),
        t('audit.target'), t('audit.detail')],
      entries.map((e) => [formatDateTimeSeconds(e.at), e.actor ?? '—', h('code', { text: e.action }), e.target ?? '',
        e.detail ? h('code', { class: 'detail', text: JSON.stringify(e.detail) }) : '']), { class: 'audit' })
      : h('p', { class: 'empty', text: t('audit.none') }));
    const newer = h('button', { type: 'button', class: 'secondary', text: t('audit.newer'), disabled: pages.length < 2,
      'data-page': 'newer',
      onclick: () => busy(newer, errors, async () => { pages.pop(); await load(pages[pages.length - 1], 'newer'); }) });
    const older = h('button', { type: 'button', class: 'secondary', text: t('audit.older'),
      disabled: entries.length < applied.limit,
      'data-page': 'older',
      onclick: () => busy(older, errors, async () => {
        const last = entries[entries.length - 1].id;
        pages.push(last);
        await load(last, 'older');
      }) });
    replace(pager, h('button', { type: 'button', class: 'secondary', text: t('audit.newest'),
      disabled: pages.length < 2,
      onclick: () => { pages = [null]; load(null, 'older').catch((e) => errors.show(e)); } }), newer, older,
    h('span', { class: 'hint', id: 'audit-page', text: t('audit.page', { n: pages.length }) }));
    if (refocus) {
      const again = pager.querySelector(`[data-page="${refocus}"]`);
      (again && !again.disabled ? again : pager.querySelector('button:not(:disabled)') ?? box)?.focus();
    }
  }

  const form = h('form', { class: 'filters card', id: 'audit-filters' },
    h('div', { class: 'row' }, field(t('audit.actor'), actor), field(t('audit.action'), action, t('audit.action_hint')),
      field(t('audit.since'), since), field(t('audit.until'), until), field(t('audit.page_size'), size)),
    h('datalist', { id: 'audit-actions' }, ACTIONS.map((a) => h('option', { value: a }))),
    errors.element, h('div', { class: 'actions' }, apply));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(apply, errors, () => {
      applied = filters();
      pages = [null];
      return load(null);
    });
  });
  view.append(h('h1', { text: t('audit.title') }), form, box, pager);
  applied = filters();
  await load(null);
}
