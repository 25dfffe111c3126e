// SPDX-License-Identifier: MIT
// Recordings: the meetings held, then one meeting's recordings (one per segment), each
// played in the page from the Range-capable download, with links to the file and its
// signed manifest. Operators start and stop recording from the live rooms page.
import { API, api } from '../api.js';
import { formatSize, h, replace, table } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../time.js';
import { meetingHeading, renderHeldMeetings } from './held.js';

export function renderRecordingsIndex(view) {
  return renderHeldMeetings(view, 'recordings', 'recordings.title', 'recordings.intro');
}

// "1:02:03" or "2:03" from milliseconds.
export function formatDuration(ms) {
  const total = Math.round((ms ?? 0) / 1000);
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const two = (n) => String(n).padStart(2, '0');
  return hours ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}

export async function renderRecordings(view, match) {
  const id = Number(match[1]);
  await meetingHeading(view, id, 'recordings', 'recordings.of');
  const recordings = await api('GET', `/meetings/${id}/recordings`);
  const player = h('section', { class: 'card player', id: 'recording-player', hidden: true,
    'aria-labelledby': 'player-title' });
  const file = (r, name) => `${API}/meetings/${id}/recordings/${r.segment}.${name}`;

  function play(r, button) {
    const video = h('video', { controls: true, preload: 'metadata', src: file(r, 'webm'), id: 'recording-video',
      'aria-label': t('recordings.video', { n: r.segment }) });
    replace(player, h('h2', { id: 'player-title', text: t('recordings.playing', { n: r.segment }) }), video,
      h('p', {}, h('button', { type: 'button', class: 'secondary', text: t('common.close'),
        onclick: () => { video.pause(); player.hidden = true; replace(player); button.focus(); } })));
    player.hidden = false;
    video.play().catch(() => {});
    video.focus();
  }

  const rows = recordings.map((r) => {
    const ready = r.state === 'complete' || (r.state === 'failed' && r.size);
    const playButton = ready ? h('button', { type: 'button', class: 'small', text: t('recordings.play'),
      'aria-label': t('recordings.play_n', { n: r.segment }), 'data-play': r.segment,
      onclick: (event) => play(r, event.currentTarget) }) : null;
    return [
      String(r.segment),
      [h('span', { class: `badge rec-${r.state}`, text: t(`recordings.state.${r.state}`) }),
        r.reason ? h('small', { class: 'hint block', text: r.reason }) : null],
      formatDateTime(r.started_at),
      r.duration_ms !== null ? formatDuration(r.duration_ms) : '—',
      r.size !== null ? formatSize(r.size) : '—',
      h('div', { class: 'toolbar tight' }, playButton,
        ready ? h('a', { class: 'button secondary small', href: file(r, 'webm'), download: '',
          text: t('recordings.download'), 'aria-label': t('recordings.download_n', { n: r.segment }) }) : null,
        ready ? h('a', { class: 'button secondary small', href: file(r, 'manifest.json'), download: '',
          text: t('recordings.manifest'), 'aria-label': t('recordings.manifest_n', { n: r.segment }) }) : null,
        ready ? h('a', { class: 'button secondary small', href: file(r, 'manifest.json.p7s'), download: '',
          text: t('recordings.signature'), 'aria-label': t('recordings.signature_n', { n: r.segment }) }) : null),
    ];
  });
  view.append(recordings.length
    ? table(t('recordings.caption', { n: recordings.length }), [t('recordings.segment'), t('recordings.state'),
      t('recordings.started'), t('recordings.duration'), t('recordings.size'), t('common.actions')], rows,
    { class: 'recordings', id: 'recordings' })
    : h('p', { class: 'empty', id: 'recordings', text: t('recordings.none') }),
  h('p', { class: 'hint', text: t('recordings.verify_hint') }), player);
}
