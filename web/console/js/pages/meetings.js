// SPDX-License-Identifier: MIT
// Meetings: the list (upcoming, past, all), the new-meeting page, and recurring series.
import { api, query } from '../api.js';
import { announce, busy, checkbox, confirmDialog, errorBox, field, h, replace, select, table } from '../dom.js';
import { t } from '../i18n.js';
import { DAY_MS, formatDateTime } from '../time.js';
import { chairOptions, LAYOUTS, meetingForm } from './meeting_form.js';

const FILTERS = ['upcoming', 'past', 'all'];
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const PAST_WINDOW_MS = 366 * DAY_MS;
let filter = 'upcoming';

// A state as a badge people can read.
export function stateBadge(state) {
  return h('span', { class: `badge state-${state}`, text: t(`state.${state}`) });
}

// Upcoming: not over yet (cancelled ones shown too, struck through); past: over by
// time or ended early, newest first, for the last year.
async function loadMeetings(which) {
  const now = Date.now();
  if (which === 'upcoming') {
    const list = await api('GET', `/meetings${query({ from: now, limit: 1000 })}`);
    return list.filter((m) => m.state !== 'ended');
  }
  if (which === 'past') {
    const list = await api('GET', `/meetings${query({ from: now - PAST_WINDOW_MS, limit: 1000 })}`);
    return list.filter((m) => m.end_at < now || m.state === 'ended').reverse();
  }
  return api('GET', `/meetings${query({ limit: 1000 })}`);
}

export async function renderMeetings(view, match, ctx) {
  const listBox = h('div', { id: 'meeting-list' });
  const radios = h('fieldset', { class: 'filters' }, h('legend', { text: t('meetings.show') }),
    FILTERS.map((name) => {
      const input = h('input', { type: 'radio', name: 'meeting-filter', value: name, id: `filter-${name}`,
        checked: filter === name });
      input.addEventListener('change', () => { filter = name; draw(); });
      return h('label', { class: 'check', htmlFor: input.id }, input, ' ', t(`meetings.filter.${name}`));
    }));

  async function draw() {
    const which = filter;
    const meetings = await loadMeetings(which);
    if (which !== filter) return; // another filter was chosen meanwhile
    replace(listBox, meetings.length
      ? table(t(`meetings.filter.${filter}`), [t('meeting.title_field'), t('meeting.start'), t('meeting.end'),
        t('meeting.state'), t('meeting.chair')],
      meetings.map((m) => [
        [h('a', { href: `#/meetings/${m.id}`, text: m.title }),
          m.series_id ? h('span', { class: 'badge', text: t('meetings.in_series') }) : null],
        formatDateTime(m.start_at), formatDateTime(m.end_at), stateBadge(m.state), m.chair?.username ?? '—',
      ]), { class: 'meetings' })
      : h('p', { class: 'empty', text: t('meetings.none') }));
  }

  view.append(h('h1', { text: t('meetings.title') }),
    h('div', { class: 'toolbar' },
      ctx.isOperator ? h('a', { class: 'button', href: '#/meetings/new', text: t('meetings.new') }) : null,
      h('a', { class: 'button secondary', href: '#/calendar', text: t('nav.calendar') })),
    radios, listBox);
  await draw();
  if (ctx.isOperator) view.append(await seriesSection(draw));
}

export async function renderMeetingNew(view) {
  view.append(h('h1', { text: t('meetings.new') }),
    await meetingForm(null, (saved) => {
      announce(t('meeting.created'));
      window.location.hash = `#/meetings/${saved.id}`;
    }, () => { window.location.hash = '#/meetings'; }));
}

// "Thứ Hai, Thứ Năm · 08:00 · 90 phút" from weekly:MO,TH@08:00/90.
export function describeRule(rule) {
  const m = /^weekly:([A-Z,]+)@(\d{2}:\d{2})\/(\d+)$/.exec(rule);
  if (!m) return rule;
  const days = m[1].split(',').map((d) => t(`day.${d}`)).join(', ');
  return t('series.rule_text', { days, time: m[2], minutes: m[3] });
}

// The series list and the form that creates one; `onChange()` redraws the meeting list.
async function seriesSection(onChange) {
  const section = h('section', { class: 'card', 'aria-labelledby': 'series-title' });
  const listBox = h('div', { id: 'series-list' });
  const listErrors = errorBox();

  async function draw() {
    const series = await api('GET', '/series');
    replace(listBox, series.length
      ? table(null, [t('series.name'), t('series.rule'), t('series.timezone'), t('common.actions')],
        series.map((s) => [s.title, describeRule(s.rule), s.timezone,
          h('button', { type: 'button', class: 'danger small', text: t('series.delete'),
            'aria-label': `${t('series.delete')}: ${s.title}`,
            onclick: (event) => remove(s, event.currentTarget) })]), { class: 'series' })
      : h('p', { class: 'empty', text: t('series.none') }));
  }

  async function remove(series, button) {
    const question = t('series.confirm_delete', { title: series.title });
    if (!(await confirmDialog(t('series.delete'), question, t('series.delete')))) return;
    await busy(button, listErrors, async () => {
      const reply = await api('DELETE', `/series/${series.id}`);
      announce(t('series.deleted', { n: reply.cancelled }));
      await draw();
      await onChange();
    });
  }

  const title = h('input', { name: 'series-title', required: true, maxLength: 200 });
  const days = DAYS.map((d) => checkbox(t(`day.${d}`), { name: 'series-day', value: d }));
  const time = h('input', { name: 'series-time', required: true, value: '08:00', pattern: '\\d{2}:\\d{2}',
    placeholder: 'HH:mm', inputMode: 'numeric' });
  const duration = h('input', { name: 'series-duration', type: 'number', min: 1, max: 1440, required: true,
    value: 60 });
  const chair = select(await chairOptions(), '', { name: 'series-chair' });
  const layout = select(LAYOUTS.map((l) => [l, t(`layout.${l}`)]), 'speaker', { name: 'series-layout' });
  const errors = errorBox();
  const submit = h('button', { type: 'submit', text: t('series.create') });
  const form = h('form', { id: 'series-form' },
    h('h3', { text: t('series.new') }),
    field(t('series.name'), title),
    h('fieldset', { class: 'days' }, h('legend', { text: t('series.days') }), days.map((d) => d.element)),
    h('div', { class: 'row' }, field(t('series.time'), time, t('series.time_hint')),
      field(t('series.duration'), duration), field(t('meeting.chair'), chair), field(t('meeting.layout'), layout)),
    errors.element, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = days.filter((d) => d.input.checked).map((d) => d.input.value);
    if (!chosen.length) {
      errors.show(t('series.pick_day'));
      days[0].input.focus();
      return;
    }
    const rule = `weekly:${chosen.join(',')}@${time.value.trim()}/${Number(duration.value)}`;
    const body = { title: title.value, rule, layout: layout.value };
    if (chair.value) body.chair_id = Number(chair.value);
    busy(submit, errors, async () => {
      const created = await api('POST', '/series', body);
      announce(t('series.created', { n: created.meetings?.length ?? 0 }));
      form.reset();
      await draw();
      await onChange();
    });
  });

  replace(section, h('h2', { id: 'series-title', text: t('series.title') }), listErrors.element, listBox, form);
  await draw();
  return section;
}
