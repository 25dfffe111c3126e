// SPDX-License-Identifier: MIT
// A meeting's agenda: read, or edited as a list (add, remove, move up and down) and
// saved whole; items keep their ids so that their materials stay attached.
import { api } from '../api.js';
import { announce, busy, errorBox, field, h, replace } from '../dom.js';
import { t } from '../i18n.js';

// The agenda section of `meeting`; editable when `editable`. `onSaved()` redraws the page.
export function agendaSection(meeting, editable, onSaved) {
  const section = h('section', { class: 'card', id: 'agenda', 'aria-labelledby': 'agenda-title' },
    h('h2', { id: 'agenda-title', text: t('agenda.title') }));
  if (!editable) {
    section.append(meeting.agenda.length
      ? h('ol', { class: 'agenda-read' }, meeting.agenda.map((item) => h('li', {}, item.title,
        item.presenter ? ` — ${item.presenter}` : '',
        item.duration_minutes ? ` (${t('agenda.minutes', { n: item.duration_minutes })})` : '')))
      : h('p', { class: 'empty', text: t('agenda.empty') }));
    return section;
  }

  // Working copy: {id, title, presenter, duration_minutes}; id null for a new item.
  const items = meeting.agenda.map(({ id, title, presenter, duration_minutes: minutes }) =>
    ({ id, title, presenter, duration_minutes: minutes }));
  const list = h('ol', { class: 'agenda-edit', id: 'agenda-items' });
  const errors = errorBox();
  const save = h('button', { type: 'button', text: t('agenda.save') });

  function draw(focus) {
    replace(list, items.map((item, index) => row(item, index)));
    if (!items.length) list.append(h('li', { class: 'empty', text: t('agenda.empty') }));
    if (focus) list.querySelector(focus)?.focus();
  }

  function row(item, index) {
    const n = index + 1;
    const title = h('input', { name: 'agenda-title', required: true, maxLength: 300, value: item.title,
      oninput: (e) => { item.title = e.target.value; } });
    const presenter = h('input', { name: 'agenda-presenter', maxLength: 200, value: item.presenter,
      oninput: (e) => { item.presenter = e.target.value; } });
    const minutes = h('input', { name: 'agenda-minutes', type: 'number', min: 0, max: 1440,
      value: item.duration_minutes,
      oninput: (e) => { item.duration_minutes = e.target.value; } });
    const move = (delta, key) => h('button', {
      type: 'button', class: 'secondary small', text: delta < 0 ? '↑' : '↓', 'data-move': key,
      'aria-label': t(delta < 0 ? 'agenda.move_up' : 'agenda.move_down', { n }),
      disabled: index + delta < 0 || index + delta >= items.length,
      onclick: () => {
        const [moved] = items.splice(index, 1);
        items.splice(index + delta, 0, moved);
        const target = index + delta;
        const stillPossible = target + delta >= 0 && target + delta < items.length;
        draw(`li:nth-child(${target + 1}) [data-move="${stillPossible ? key : (key === 'up' ? 'down' : 'up')}"]`);
      },
    });
    return h('li', { class: 'agenda-item' },
      h('span', { class: 'position', text: `${n}.`, 'aria-hidden': 'true' }),
      field(t('agenda.item_title', { n }), title),
      field(t('agenda.presenter'), presenter),
      field(t('agenda.duration'), minutes),
      h('div', { class: 'row-actions' }, move(-1, 'up'), move(1, 'down'),
        h('button', { type: 'button', class: 'danger small', text: t('common.remove'),
          'aria-label': t('agenda.remove', { n }),
          onclick: () => {
            items.splice(index, 1);
            draw(items.length ? `li:nth-child(${Math.min(index, items.length - 1) + 1}) input` : null);
            if (!items.length) add.focus();
          } })));
  }

  const add = h('button', { type: 'button', class: 'secondary', text: t('agenda.add'),
    onclick: () => {
      items.push({ id: null, title: '', presenter: '', duration_minutes: 0 });
      draw(`li:nth-child(${items.length}) input`);
    } });

  save.addEventListener('click', () => busy(save, errors, async () => {
    const body = { items: items.map((item) => {
      const out = { title: item.title.trim(), presenter: item.presenter.trim(),
        duration_minutes: Number(item.duration_minutes) || 0 };
      if (item.id) out.id = item.id;
      return out;
    }) };
    await api('PUT', `/meetings/${meeting.id}/agenda`, body);
    announce(t('agenda.saved'));
    onSaved();
  }));

  draw();
  section.append(list, errors.element, h('div', { class: 'actions' }, add, save));
  return section;
}
