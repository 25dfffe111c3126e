// SPDX-License-Identifier: MIT
// Times of the participant client: the API speaks Unix milliseconds; people read Viet
// Nam time (Asia/Ho_Chi_Minh) as dd/mm/yyyy HH:mm, whatever the computer's own zone.
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

function parts(ms) {
  const out = {};
  for (const part of partsFormat.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') out[part.type] = part.value;
  }
  return out;
}

// "dd/mm/yyyy HH:mm"; "" for null.
export function formatDateTime(ms) {
  if (ms === null || ms === undefined) return '';
  const p = parts(ms);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

// "HH:mm".
export function formatTime(ms) {
  const p = parts(ms);
  return `${p.hour}:${p.minute}`;
}

// "dd/mm/yyyy HH:mm – HH:mm" pieces: the end without its date when on the same day.
export function formatRange(startMs, endMs) {
  const start = formatDateTime(startMs);
  const end = formatDateTime(endMs);
  return { start, end: start.slice(0, 10) === end.slice(0, 10) ? formatTime(endMs) : end };
}
