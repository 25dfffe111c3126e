// SPDX-License-Identifier: MIT
// The meetings that have a room or have been held (open, live, ended), newest first, as
// links to a page about each one (its recordings, its minutes).
import { api, query } from '../api.js';
import { h, table } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../time.js';
import { stateBadge } from './meetings.js';

// Fills `view` with a heading `titleKey`, the text `introKey` and the table of held
// meetings linking to `#/<section>/<id>`.
export async function renderHeldMeetings(view, section, titleKey, introKey) {
  const meetings = (await api('GET', `/meetings${query({ state: 'open,live,ended', limit: 1000 })}`)).reverse();
  view.append(h('h1', { text: t(titleKey) }), h('p', { class: 'hint', text: t(introKey) }),
    meetings.length
      ? table(t('held.caption', { n: meetings.length }), [t('meeting.title_field'), t('meeting.start'),
        t('meeting.state')],
      meetings.map((m) => [h('a', { href: `#/${section}/${m.id}`, text: m.title }), formatDateTime(m.start_at),
        stateBadge(m.state)]), { class: 'held', id: `${section}-meetings` })
      : h('p', { class: 'empty', text: t('held.none') }));
}

// The heading of a page about one meeting: a breadcrumb to the list, the title, and a
// link to the meeting itself. Returns the meeting.
export async function meetingHeading(view, id, section, titleKey) {
  const meeting = await api('GET', `/meetings/${id}`);
  view.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: `#/${section}`, text: t(`nav.${section}`) })),
    h('h1', { text: t(titleKey, { title: meeting.title }) }),
    h('p', {}, stateBadge(meeting.state), ' ', formatDateTime(meeting.start_at), ' · ',
      h('a', { href: `#/meetings/${id}`, text: t('held.open_meeting') })));
  return meeting;
}
