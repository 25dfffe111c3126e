// SPDX-License-Identifier: MIT
// Times of the console: the API speaks Unix milliseconds; people read and type local
// time of Asia/Ho_Chi_Minh as dd/mm/yyyy HH:mm, whatever the browser's own zone.
import { locale } from './i18n.js';

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const MINUTE_MS = 60 * 1000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

// The local calendar fields of instant `ms`: { year, month (1-12), day, hour, minute,
// second, weekday (0 Monday .. 6 Sunday) }.
export function localParts(ms) {
  const out = {};
  for (const part of partsFormat.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  out.weekday = (new Date(Date.UTC(out.year, out.month - 1, out.day)).getUTCDay() + 6) % 7;
  return out;
}

function offsetAt(ms) {
  const p = localParts(ms);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

// The instant of local time y-m-d h:mi (month 1-12) in TIME_ZONE.
export function localToMs(year, month, day, hour = 0, minute = 0) {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  let ms = asUtc - offsetAt(asUtc);
  const again = asUtc - offsetAt(ms);
  if (again !== ms) ms = again; // the offset changed between the guess and the answer
  return ms;
}

const pad = (n) => String(n).padStart(2, '0');

// "dd/mm/yyyy HH:mm"; "" for null.
export function formatDateTime(ms) {
  if (ms === null || ms === undefined) return '';
  const p = localParts(ms);
  return `${pad(p.day)}/${pad(p.month)}/${p.year} ${pad(p.hour)}:${pad(p.minute)}`;
}

// "dd/mm/yyyy HH:mm:ss", for the audit log.
export function formatDateTimeSeconds(ms) {
  if (ms === null || ms === undefined) return '';
  return `${formatDateTime(ms)}:${pad(localParts(ms).second)}`;
}

export function formatDate(ms) {
  if (ms === null || ms === undefined) return '';
  const p = localParts(ms);
  return `${pad(p.day)}/${pad(p.month)}/${p.year}`;
}

export function formatTime(ms) {
  if (ms === null || ms === undefined) return '';
  const p = localParts(ms);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

// The weekday's name in the console's language ("Thứ Hai", "Monday").
export function weekdayName(ms) {
  return new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, weekday: 'long' }).format(new Date(ms));
}

const DATE_TIME_RE = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})\s*$/;
const DATE_RE = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/;

function checked(year, month, day, hour, minute) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  const ms = localToMs(year, month, day, hour, minute);
  const p = localParts(ms);
  // 31/02 rolls over to March: not a date.
  return p.day === day && p.month === month && p.year === year ? ms : null;
}

// Reads "dd/mm/yyyy HH:mm" as local time; null when it is not a valid one.
export function parseDateTime(text) {
  const m = DATE_TIME_RE.exec(text ?? '');
  return m ? checked(+m[3], +m[2], +m[1], +m[4], +m[5]) : null;
}

// Reads "dd/mm/yyyy" as local midnight; null when it is not a valid date.
export function parseDate(text) {
  const m = DATE_RE.exec(text ?? '');
  return m ? checked(+m[3], +m[2], +m[1], 0, 0) : null;
}

// Local midnight of the day holding `ms`, moved by `days` days.
export function dayStart(ms, days = 0) {
  const p = localParts(ms);
  const shifted = new Date(Date.UTC(p.year, p.month - 1, p.day + days));
  return localToMs(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

// Local midnight of the Monday of the week holding `ms`.
export function weekStart(ms) {
  return dayStart(ms, -localParts(ms).weekday);
}
