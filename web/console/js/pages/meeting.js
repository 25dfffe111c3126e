// SPDX-License-Identifier: MIT
// One meeting: its details and state actions (edit, start, end, cancel), agenda,
// invitees, invitation links and materials.
import { api } from '../api.js';
import { announce, busy, confirmDialog, errorBox, h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../time.js';
import { agendaSection } from './agenda.js';
import { invitationsSection, inviteesSection } from './invitees.js';
import { materialsSection } from './materials.js';
import { meetingForm } from './meeting_form.js';
import { describeRule, stateBadge } from './meetings.js';

const EDITABLE = ['scheduled', 'open'];
const CONTENT_EDITABLE = ['scheduled', 'open', 'live'];

export async function renderMeeting(view, match, ctx) {
  const id = Number(match[1]);
  const meeting = await api('GET', `/meetings/${id}`);
  const series = meeting.series_id ? await api('GET', `/series/${meeting.series_id}`).catch(() => null) : null;
  const mayRun = ctx.isOperator || (meeting.chair && meeting.chair.id === ctx.me.id);
  const errors = errorBox();
  const editBox = h('div', { id: 'meeting-edit' });

  const action = (label, path, { confirm, danger } = {}) => h('button', {
    type: 'button', class: danger ? 'danger' : '', text: label, 'data-action': path,
    onclick: async (event) => {
      const button = event.currentTarget;
      if (confirm && !(await confirmDialog(label, confirm, label))) return;
      await busy(button, errors, async () => {
        await api('POST', `/meetings/${id}/${path}`);
        announce(t(`meeting.done.${path}`));
        ctx.rerender();
      });
    },
  });

  const actions = [];
  if (ctx.isOperator && EDITABLE.includes(meeting.state)) {
    actions.push(h('button', { type: 'button', class: 'secondary', text: t('common.edit'),
      'aria-expanded': 'false', 'aria-controls': 'meeting-edit',
      onclick: async (event) => {
        const button = event.currentTarget;
        if (editBox.firstChild) {
          replace(editBox);
          button.setAttribute('aria-expanded', 'false');
          return;
        }
        button.setAttribute('aria-expanded', 'true');
        replace(editBox, await meetingForm(meeting, () => { announce(t('common.saved')); ctx.rerender(); },
          () => { replace(editBox); button.setAttribute('aria-expanded', 'false'); button.focus(); }));
        editBox.querySelector('input')?.focus();
      } }));
  }
  if (mayRun && EDITABLE.includes(meeting.state)) actions.push(action(t('meeting.start_now'), 'start'));
  if (mayRun && ['open', 'live'].includes(meeting.state)) {
    actions.push(action(t('meeting.end_now'), 'end',
      { confirm: t('meeting.confirm_end', { title: meeting.title }), danger: true }));
  }
  if (ctx.isOperator && EDITABLE.includes(meeting.state)) {
    actions.push(action(t('meeting.cancel'), 'cancel',
      { confirm: t('meeting.confirm_cancel', { title: meeting.title }), danger: true }));
  }
  if (ctx.isOperator) {
    actions.push(h('a', { class: 'button secondary', href: `#/meetings/${id}/attendance`,
      text: t('attendance.title') }));
  }
  if (['open', 'live', 'ended'].includes(meeting.state)) {
    actions.push(h('a', { class: 'button secondary', href: `#/recordings/${id}`, text: t('nav.recordings') }),
      h('a', { class: 'button secondary', href: `#/minutes/${id}`, text: t('nav.minutes') }));
  }

  const fact = (key, value) => [h('dt', { text: t(key) }), h('dd', {}, value ?? '—')];
  view.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/meetings', text: t('meetings.title') })),
    h('h1', { text: meeting.title }),
    h('p', {}, stateBadge(meeting.state)),
    h('dl', { class: 'facts', id: 'meeting-facts' },
      fact('meeting.start', formatDateTime(meeting.start_at)),
      fact('meeting.end', formatDateTime(meeting.end_at)),
      fact('meeting.opens', t('meeting.opens_text', { at: formatDateTime(meeting.opens_at), n: meeting.lead_minutes })),
      fact('meeting.closes',
        t('meeting.closes_text', { at: formatDateTime(meeting.closes_at), n: meeting.grace_minutes })),
      fact('meeting.chair', meeting.chair?.username),
      fact('meeting.layout', t(`layout.${meeting.layout}`)),
      fact('meeting.recording', t(`recording.${meeting.recording_policy}`)),
      series ? fact('meeting.series', `${series.title} — ${describeRule(series.rule)}`) : null,
      meeting.description ? fact('meeting.description', h('span', { class: 'pre', text: meeting.description })) : null),
    h('div', { class: 'toolbar', id: 'meeting-actions' }, actions),
    errors.element,
    editBox);

  const editable = ctx.isOperator && CONTENT_EDITABLE.includes(meeting.state);
  view.append(agendaSection(meeting, editable, ctx.rerender));
  view.append(await inviteesSection(meeting, editable));
  if (ctx.isOperator && CONTENT_EDITABLE.includes(meeting.state)) view.append(invitationsSection(meeting));
  view.append(await materialsSection(meeting, ctx.isOperator));
}
