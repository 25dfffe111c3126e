// SPDX-License-Identifier: MIT
// A week of meetings, Monday to Sunday in local time, one column per day.
import { api, query } from '../api.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { dayStart, formatDate, formatTime, weekdayName, weekStart } from '../time.js';
import { stateBadge } from './meetings.js';

// The Monday shown, kept while the console runs.
let shownWeek = null;

export async function renderCalendar(view) {
  if (shownWeek === null) shownWeek = weekStart(Date.now());
  const heading = h('h2', { id: 'week-title', 'aria-live': 'polite' });
  const grid = h('div', { class: 'week', id: 'week' });

  async function draw() {
    const days = Array.from({ length: 8 }, (_, i) => dayStart(shownWeek, i));
    heading.textContent = t('calendar.week_of', { from: formatDate(days[0]), to: formatDate(days[6]) });
    const meetings = await api('GET', `/meetings${query({ from: days[0], to: days[7] - 1, limit: 1000 })}`);
    if (days[0] !== shownWeek) return; // moved to another week meanwhile
    const today = dayStart(Date.now());
    replace(grid, days.slice(0, 7).map((day, i) => {
      const items = meetings.filter((m) => m.start_at < days[i + 1] && m.end_at > day);
      return h('section', { class: `day${day === today ? ' today' : ''}`, 'aria-labelledby': `day-${i}`,
        'data-day': formatDate(day) },
      h('h3', { id: `day-${i}` }, h('span', { class: 'weekday', text: weekdayName(day) }), ' ',
        h('span', { class: 'date', text: formatDate(day) })),
      items.length
        ? h('ul', {}, items.map((m) => h('li', { class: `state-${m.state}` },
          h('a', { href: `#/meetings/${m.id}` },
            h('span', { class: 'time', text: `${formatTime(m.start_at)}–${formatTime(m.end_at)}` }),
            ' ', m.title), ' ', stateBadge(m.state))))
        : h('p', { class: 'empty', text: t('calendar.free') }));
    }));
  }

  const move = (weeks) => async () => {
    shownWeek = weeks === 0 ? weekStart(Date.now()) : dayStart(shownWeek, 7 * weeks);
    await draw();
  };
  view.append(h('h1', { text: t('calendar.title') }),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', class: 'secondary', text: t('calendar.previous'), onclick: move(-1) }),
      h('button', { type: 'button', class: 'secondary', text: t('calendar.this_week'), onclick: move(0) }),
      h('button', { type: 'button', class: 'secondary', text: t('calendar.next'), onclick: move(1) })),
    heading, grid);
  await draw();
}
