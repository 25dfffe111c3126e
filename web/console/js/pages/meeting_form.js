// SPDX-License-Identifier: MIT
// The form that creates or changes a meeting: title, description, local start and end
// (dd/mm/yyyy HH:mm, Asia/Ho_Chi_Minh), lead and grace, chair, layout, recording policy.
import { api } from '../api.js';
import { busy, clearFieldErrors, describeError, errorBox, field, fieldError, h, select } from '../dom.js';
import { t } from '../i18n.js';
import { dayStart, formatDateTime, parseDateTime } from '../time.js';

export const LAYOUTS = ['speaker', 'grid', 'pinned'];
export const RECORDING = ['none', 'manual', 'auto'];

// Accounts that may chair (enabled ones), as [id, label] options led by "no chair".
export async function chairOptions() {
  const accounts = await api('GET', '/accounts');
  return [['', t('meeting.no_chair')], ...accounts.filter((a) => !a.disabled)
    .map((a) => [a.id, `${a.username} (${t(`role.${a.role}`)})`])];
}

function timeInput(name, value) {
  return h('input', { name, required: true, value, placeholder: t('time.placeholder'),
    inputMode: 'numeric', autocomplete: 'off', pattern: '\\s*\\d{1,2}/\\d{1,2}/\\d{4}\\s+\\d{1,2}:\\d{2}\\s*' });
}

function minutesInput(name, value) {
  return h('input', { name, type: 'number', min: 0, max: 120, step: 1, value: value ?? '',
    placeholder: t('meeting.default_minutes') });
}

// Builds the form for `meeting` (null: a new one). `onSaved(meeting)` runs after the API
// accepted it. Returns the form element.
export async function meetingForm(meeting, onSaved, onCancel) {
  const tomorrow = dayStart(Date.now(), 1);
  const title = h('input', { name: 'title', required: true, maxLength: 200, value: meeting?.title ?? '' });
  const description = h('textarea', { name: 'description', rows: 3, maxLength: 4000,
    value: meeting?.description ?? '' });
  const start = timeInput('start', formatDateTime(meeting?.start_at ?? tomorrow + 8 * 3600e3));
  const end = timeInput('end', formatDateTime(meeting?.end_at ?? tomorrow + 10 * 3600e3));
  const lead = minutesInput('lead_minutes', meeting?.lead_minutes);
  const grace = minutesInput('grace_minutes', meeting?.grace_minutes);
  const chair = select(await chairOptions(), meeting?.chair?.id ?? '', { name: 'chair_id' });
  const layout = select(LAYOUTS.map((l) => [l, t(`layout.${l}`)]), meeting?.layout ?? 'speaker', { name: 'layout' });
  const recording = select(RECORDING.map((r) => [r, t(`recording.${r}`)]), meeting?.recording_policy ?? 'manual',
    { name: 'recording_policy' });
  const errors = errorBox();
  const save = h('button', { type: 'submit', text: meeting ? t('common.save') : t('meeting.create') });
  const form = h('form', { class: 'meeting-form card', id: 'meeting-form', noValidate: true },
    field(t('meeting.title_field'), title), field(t('meeting.description'), description),
    h('div', { class: 'row' },
      field(t('meeting.start'), start, t('time.format_hint')),
      field(t('meeting.end'), end, t('time.format_hint'))),
    h('div', { class: 'row' },
      field(t('meeting.lead'), lead, t('meeting.lead_hint')),
      field(t('meeting.grace'), grace, t('meeting.grace_hint'))),
    h('div', { class: 'row' }, field(t('meeting.chair'), chair), field(t('meeting.layout'), layout),
      field(t('meeting.recording'), recording)),
    errors.element,
    h('div', { class: 'actions' }, save,
      onCancel ? h('button', { type: 'button', class: 'secondary', text: t('common.cancel'), onclick: onCancel })
        : null));

  // What the user typed, checked before asking the server: each mistake next to its
  // field, the first one focused. Returns the times, or null.
  function checkInput() {
    const startAt = parseDateTime(start.value);
    const endAt = parseDateTime(end.value);
    const wrong = [];
    if (!title.value.trim()) wrong.push([title, t('meeting.title_missing')]);
    if (startAt === null) wrong.push([start, t('time.invalid', { field: t('meeting.start') })]);
    if (endAt === null) wrong.push([end, t('time.invalid', { field: t('meeting.end') })]);
    else if (startAt !== null && endAt <= startAt) wrong.push([end, t('meeting.end_before_start')]);
    for (const [control, message] of wrong) fieldError(control, message);
    if (wrong.length) {
      wrong[0][0].focus();
      return null;
    }
    return { startAt, endAt };
  }

  // The server's refusal next to the field it names (its messages name the JSON field),
  // else under the form.
  function showRefusal(error) {
    const named = [['end_at', end], ['start_at', start], ['"title"', title], ['title', title]]
      .find(([word]) => (error?.message ?? '').includes(word));
    if (named && error?.code === 'bad_request') {
      fieldError(named[1], describeError(error));
      named[1].focus();
    } else {
      errors.show(error);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    errors.clear();
    const times = checkInput();
    if (!times) return;
    const { startAt, endAt } = times;
    const body = {
      title: title.value, description: description.value, start_at: startAt, end_at: endAt,
      chair_id: chair.value ? Number(chair.value) : null, layout: layout.value, recording_policy: recording.value,
    };
    if (lead.value !== '') body.lead_minutes = Number(lead.value);
    if (grace.value !== '') body.grace_minutes = Number(grace.value);
    busy(save, { clear() {}, show: showRefusal }, async () => {
      let saved;
      if (meeting) {
        const changed = {};
        const before = { ...meeting, chair_id: meeting.chair?.id ?? null };
        for (const [key, value] of Object.entries(body)) if (before[key] !== value) changed[key] = value;
        saved = Object.keys(changed).length ? await api('PATCH', `/meetings/${meeting.id}`, changed) : meeting;
      } else {
        if (body.chair_id === null) delete body.chair_id;
        saved = await api('POST', '/meetings', body);
      }
      await onSaved(saved);
    });
  });
  return form;
}
