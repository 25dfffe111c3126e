// SPDX-License-Identifier: MIT
// A meeting's attendance sheet: who was online, in person or absent (with reason); an
// operator marks in person or absent; CSV export.
import { API, api, query } from '../api.js';
import { announce, busy, code, errorBox, h, replace, select, table } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime, TIME_ZONE } from '../time.js';
import { stateBadge } from './meetings.js';

export async function renderAttendance(view, match) {
  const id = Number(match[1]);
  const meeting = await api('GET', `/meetings/${id}`);
  const box = h('div', { id: 'attendance-sheet' });
  const errors = errorBox();

  async function draw() {
    const lines = await api('GET', `/meetings/${id}/attendance`);
    const counts = { online: 0, in_person: 0, absent: 0 };
    for (const line of lines) counts[line.status] += 1;
    replace(box,
      h('p', { class: 'count', id: 'attendance-summary',
        text: t('attendance.summary', { total: lines.length, ...counts }) }),
      lines.length
        ? table(t('attendance.caption', { title: meeting.title }),
          [t('dir.unit'), t('dir.code'), t('dir.name'), t('attendance.status'), t('attendance.online_minutes'),
            t('attendance.first_join'), t('attendance.last_leave'), t('attendance.reason'), t('attendance.mark')],
          lines.map((line) => [line.unit_name, code(line.endpoint_code), line.endpoint_name,
            h('span', { class: `badge attendance-${line.status}`, text: t(`attendance.status.${line.status}`) }),
            String(line.online_minutes), formatDateTime(line.first_join) || '—',
            formatDateTime(line.last_leave) || '—',
            line.reason ?? '', markControls(line)]), { class: 'attendance' })
        : h('p', { class: 'empty', text: t('attendance.none') }));
  }

  function markControls(line) {
    if (line.status === 'online') return h('span', { class: 'hint', text: t('attendance.online_auto') });
    const status = select([['in_person', t('attendance.status.in_person')], ['absent', t('attendance.status.absent')]],
      line.marked_by ? line.status : 'absent',
      { name: 'attendance-status', 'aria-label': t('attendance.status_of', { code: line.endpoint_code }) });
    const reason = h('input', { name: 'attendance-reason', maxLength: 500,
      value: line.marked_by ? line.reason ?? '' : '',
      'aria-label': t('attendance.reason_of', { code: line.endpoint_code }), placeholder: t('attendance.reason') });
    const save = h('button', { type: 'button', class: 'small', text: t('common.save'),
      'aria-label': t('attendance.save_of', { code: line.endpoint_code }), 'data-save-endpoint': line.endpoint_id,
      onclick: () => busy(save, errors, async () => {
        const body = { status: status.value };
        if (reason.value.trim()) body.reason = reason.value.trim();
        await api('PUT', `/meetings/${id}/attendance/${line.endpoint_id}`, body);
        announce(t('attendance.saved', { code: line.endpoint_code }));
        await draw();
        box.querySelector(`[data-save-endpoint="${line.endpoint_id}"]`)?.focus();
      }) });
    return h('div', { class: 'row-actions' }, status, reason, save);
  }

  view.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/meetings', text: t('meetings.title') }), ' › ',
      h('a', { href: `#/meetings/${id}`, text: meeting.title })),
    h('h1', { text: t('attendance.heading', { title: meeting.title }) }),
    h('p', {}, stateBadge(meeting.state), ' ', formatDateTime(meeting.start_at), ' – ',
      formatDateTime(meeting.end_at)),
    h('p', { class: 'toolbar' }, h('a', { class: 'button secondary', download: `attendance-meeting-${id}.csv`,
      href: `${API}/meetings/${id}/attendance${query({ format: 'csv', tz: TIME_ZONE })}`,
      text: t('attendance.export') })),
    errors.element, box);
  await draw();
}
