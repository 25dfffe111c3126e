// SPDX-License-Identifier: MIT
// Live rooms: every running meeting room with its participants and each one's link —
// bit rate each way (two readings of the byte counters), loss, round trip — read again
// every few seconds while the page is shown; operators start and stop the recording.
import { api } from '../api.js';
import { announce, busy, errorBox, h, replace, table } from '../dom.js';
import { locale, t } from '../i18n.js';
import { formatDateTimeSeconds, formatTime } from '../time.js';

const REFRESH_MS = 2000;

function number(value, digits = 0) {
  return value.toLocaleString(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

// What a participant is doing, in words.
function seatState(p) {
  const flags = [];
  if (p.away) flags.push(t('live.away'));
  if (p.has_floor) flags.push(t('live.floor'));
  if (p.speaking) flags.push(t('live.speaking'));
  if (p.hand_raised) flags.push(t('live.hand'));
  if (p.audio_muted_by_chair) flags.push(t('live.muted_by_chair'));
  else if (p.audio_muted_self) flags.push(t('live.muted_self'));
  if (p.video_muted_self || p.video_muted_by_chair) flags.push(t('live.camera_off'));
  return flags.length ? flags.join(', ') : t('live.listening');
}

// kbit/s from two readings of a byte counter.
function rate(now, before, member, at, beforeAt) {
  if (!before || at <= beforeAt || now[member] < before[member]) return null;
  return (8 * (now[member] - before[member])) / (at - beforeAt);
}

// One room's participants as table rows; `previous` (key → {at, link}) gives the rates
// and is updated.
function rows(room, at, previous) {
  return room.participants.map((p) => {
    const key = `${room.meeting_id}:${p.id}`;
    const link = p.link;
    const before = previous.get(key);
    if (link) previous.set(key, { at, link });
    else previous.delete(key);
    const rxKbps = link ? rate(link, before?.link, 'bytes_received', at, before?.at) : null;
    const txKbps = link ? rate(link, before?.link, 'bytes_sent', at, before?.at) : null;
    const quality = !link ? 'none' : (link.loss_in_percent >= 8 || link.loss_out_percent >= 8
      || (link.rtt_ms ?? 0) >= 500) ? 'poor' : (link.loss_in_percent >= 2 || link.loss_out_percent >= 2
      || (link.rtt_ms ?? 0) >= 200) ? 'fair' : 'good';
    return [
      h('span', { class: 'person', text: p.name }),
      p.unit || '—',
      t(`live.role.${p.role}`),
      seatState(p),
      link ? h('span', { class: `badge link-${quality}`, text: t(`live.link.${link.state}`) })
        : h('span', { class: 'hint', text: t('live.no_media') }),
      rxKbps === null ? '—' : number(rxKbps),
      txKbps === null ? '—' : number(txKbps),
      link ? `${number(link.loss_in_percent, 1)} % / ${number(link.loss_out_percent, 1)} %` : '—',
      link?.rtt_ms ? number(link.rtt_ms) : '—',
      formatTime(p.joined_at),
    ];
  });
}

// The recording controls of a room: whether it is on air (as the room says, whoever
// started it: an operator, the chair, the policy) and one button (operators).
function recordingControls(meetingId, ctx, errors) {
  const box = h('div', { class: 'toolbar recording', 'data-recording': meetingId });
  function draw(on) {
    const focused = box.contains(document.activeElement);
    const button = ctx.isOperator ? h('button', { type: 'button', class: on ? 'danger' : '',
      text: t(on ? 'live.record_stop' : 'live.record_start'), 'data-record': on ? 'stop' : 'start',
      onclick: (event) => busy(event.currentTarget, errors, async () => {
        await api(on ? 'DELETE' : 'POST', `/meetings/${meetingId}/recording`);
        announce(t(on ? 'live.record_stopped' : 'live.record_started'));
        draw(!on);
        box.querySelector('button')?.focus();
      }) }) : null;
    replace(box, h('span', { class: `badge ${on ? 'on-air' : 'off-air'}`, 'data-on-air': on ? 'true' : 'false',
      text: t(on ? 'live.on_air' : 'live.off_air') }), button,
    h('a', { href: `#/recordings/${meetingId}`, text: t('live.recordings_link') }));
    if (focused) box.querySelector('button')?.focus();
  }
  return { element: box, draw };
}

export async function renderLive(view, match, ctx) {
  const errors = errorBox(); // of the recording buttons
  const refreshErrors = errorBox(); // of reading the rooms
  const list = h('div', { id: 'live-rooms', 'aria-live': 'off' });
  const updated = h('p', { class: 'hint', id: 'live-updated' });
  const sections = new Map(); // meeting id -> { section, body, state, recording, lastDraw }
  const previous = new Map();
  view.append(h('h1', { text: t('live.title') }), h('p', { class: 'hint', text: t('live.intro') }), updated,
    refreshErrors.element, errors.element, list);

  async function refresh() {
    const { at, rooms } = await api('GET', '/rooms');
    const seen = new Set();
    for (const room of rooms) {
      seen.add(room.meeting_id);
      let s = sections.get(room.meeting_id);
      if (!s) {
        const headingId = `live-room-${room.meeting_id}`;
        s = { body: h('div', { class: 'table-wrap' }), state: h('p', { class: 'room-state' }),
          recording: recordingControls(room.meeting_id, ctx, errors), onAir: null };
        s.section = h('section', { class: 'card live-room', 'aria-labelledby': headingId,
          'data-meeting': room.meeting_id },
        h('h2', { id: headingId }, h('a', { href: `#/meetings/${room.meeting_id}`, text: room.title })),
        s.state, s.recording.element, s.body);
        sections.set(room.meeting_id, s);
        list.append(s.section);
      }
      replace(s.state, t('live.room_state', { state: t(`live.state.${room.state}`), n: room.participants.length }));
      replace(s.body, room.participants.length
        ? table(t('live.caption', { title: room.title }), [t('live.endpoint'), t('live.unit'), t('live.role'),
          t('live.seat'), t('live.connection'), t('live.rx'), t('live.tx'), t('live.loss'), t('live.rtt'),
          t('live.joined')], rows(room, at, previous), { class: 'live' })
        : h('p', { class: 'empty', text: t('live.empty') }));
      if (s.onAir !== room.recording) {
        s.onAir = room.recording;
        s.recording.draw(room.recording);
      }
    }
    for (const [id, s] of sections) {
      if (!seen.has(id)) {
        s.section.remove();
        sections.delete(id);
      }
    }
    if (!rooms.length && !list.querySelector('.empty-rooms')) {
      list.append(h('p', { class: 'empty empty-rooms', text: t('live.none') }));
    } else if (rooms.length) {
      list.querySelector('.empty-rooms')?.remove();
    }
    updated.textContent = t('live.updated', { time: formatDateTimeSeconds(at), n: REFRESH_MS / 1000 });
    view.dataset.refreshed = String(Number(view.dataset.refreshed ?? 0) + 1);
  }

  async function loop() {
    if (!view.isConnected) return;
    try {
      await refresh();
      refreshErrors.clear();
    } catch (error) {
      refreshErrors.show(error);
    }
    window.setTimeout(loop, REFRESH_MS);
  }
  await refresh();
  window.setTimeout(loop, REFRESH_MS);
}
