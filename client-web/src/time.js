// Times in Vietnam. The server stores and sends UTC (ISO strings); people read
// and type Vietnam time. Vietnam is UTC+7 all year (no daylight saving), so a
// time typed into a form is sent with an explicit +07:00 offset, and display
// goes through Intl with timeZone Asia/Ho_Chi_Minh. DOM-free (tested in node).
//
// A "day key" is a calendar day in Vietnam written 'YYYY-MM-DD'.

import { t } from './i18n.js';

export const VN_TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const VN_OFFSET = '+07:00';

const DAY_MS = 24 * 60 * 60 * 1000;

const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: VN_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function toDate(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a time: ${value}`);
  return date;
}

/**
 * The Vietnam wall-clock parts of a moment.
 * @param {string|number|Date} value ISO string (any offset), epoch ms or Date
 * @returns {{year: string, month: string, day: string, hour: string, minute: string}} zero-padded
 */
export function vnParts(value) {
  const parts = {};
  for (const { type, value: v } of partsFormat.formatToParts(toDate(value))) parts[type] = v;
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour === '24' ? '00' : parts.hour,
    minute: parts.minute,
  };
}

/** 'HH:mm' in Vietnam. */
export function formatTime(value) {
  const p = vnParts(value);
  return `${p.hour}:${p.minute}`;
}

/** 'dd/mm/yyyy' in Vietnam (the administrative style, used in both languages). */
export function formatDate(value) {
  const p = vnParts(value);
  return `${p.day}/${p.month}/${p.year}`;
}

/** The Vietnam day of a moment, 'YYYY-MM-DD' (also the value of an <input type=date>). */
export function dayKey(value) {
  const p = vnParts(value);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Today's day key in Vietnam. */
export function todayKey(now = new Date()) {
  return dayKey(now);
}

const DAY_KEY = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * A moment typed as Vietnam date + time, as an ISO string with +07:00.
 * @param {string} date 'YYYY-MM-DD'
 * @param {string} time 'HH:mm' (seconds, if any, are dropped)
 * @returns {string|null} null when either part is missing or malformed
 */
export function vnToIso(date, time) {
  const hhmm = (time || '').slice(0, 5);
  if (!DAY_KEY.test(date || '') || !TIME.test(hhmm)) return null;
  return `${date}T${hhmm}:00${VN_OFFSET}`;
}

/** The start of a Vietnam day, as an ISO string with +07:00 (for from/to queries). */
export function startOfDay(key) {
  return `${key}T00:00:00${VN_OFFSET}`;
}

/** The day key n days after (or before, n < 0) the given one. */
export function addDays(key, n) {
  const date = new Date(`${key}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

/** Day keys compare as strings; this is their distance in days (b - a). */
export function daysBetween(a, b) {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** 0 = Monday … 6 = Sunday (Vietnamese calendars start the week on Monday). */
export function weekday(key) {
  return (new Date(`${key}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/** The Monday of the week holding the day. */
export function weekStart(key) {
  return addDays(key, -weekday(key));
}

/** The first day of the month holding the day. */
export function monthStart(key) {
  return `${key.slice(0, 8)}01`;
}

/** The same day of month n months later, clamped to the month's length (31/01 + 1 → 28/02). */
export function addMonths(key, n) {
  const [y, m, d] = key.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/**
 * The weeks (Monday first) covering the month of the day: 4–6 rows of 7 day keys.
 * @returns {string[][]}
 */
export function monthGrid(key) {
  const first = monthStart(key);
  const month = first.slice(0, 7);
  const weeks = [];
  let day = weekStart(first);
  while (weeks.length === 0 || day.slice(0, 7) === month) {
    const week = [];
    for (let i = 0; i < 7; i++) {
      week.push(day);
      day = addDays(day, 1);
    }
    weeks.push(week);
  }
  return weeks;
}

/**
 * The Vietnam days a meeting touches, from its start to just before its end.
 * @param {{starts_at: string, ends_at: string}} meeting
 * @returns {string[]}
 */
export function meetingDays(meeting) {
  const first = dayKey(meeting.starts_at);
  const endMs = Math.max(toDate(meeting.ends_at).getTime() - 1, toDate(meeting.starts_at).getTime());
  const last = dayKey(endMs);
  const days = [first];
  for (let day = first; day < last && days.length < 62; ) {
    day = addDays(day, 1);
    days.push(day);
  }
  return days;
}

/**
 * The from/to query of a tab of "my meetings". Today is the Vietnam day;
 * upcoming starts tomorrow; past ends at the start of today.
 * @param {'upcoming'|'today'|'past'} tab
 * @returns {{from?: string, to?: string}}
 */
export function tabRange(tab, now = new Date()) {
  const today = todayKey(now);
  const tomorrow = addDays(today, 1);
  if (tab === 'today') return { from: startOfDay(today), to: startOfDay(tomorrow) };
  if (tab === 'past') return { to: startOfDay(today) };
  return { from: startOfDay(tomorrow) };
}

// ---- wording (through the translation table) -------------------------

/** "08:00 ngày 05/12/2026" / "08:00, 05/12/2026". */
export function formatDateTime(value) {
  return t('time.at', { time: formatTime(value), date: formatDate(value) });
}

/** "08:00 – 11:00 ngày 05/12/2026", or both full times when the end is on another day. */
export function formatRange(start, end) {
  if (dayKey(start) === dayKey(end)) {
    return t('time.sameDay', { start: formatTime(start), end: formatTime(end), date: formatDate(start) });
  }
  return `${formatDateTime(start)} – ${formatDateTime(end)}`;
}

/** "Thứ Hai" … "Chủ nhật" / "Monday" … for a day key. */
export function weekdayName(key) {
  return t(`weekday.${weekday(key)}`);
}

/** "T2" … "CN" / "Mon" … for a day key. */
export function weekdayShort(key) {
  return t(`weekdayShort.${weekday(key)}`);
}

/** 'dd/mm' of a day key. */
export function dayMonth(key) {
  return `${key.slice(8, 10)}/${key.slice(5, 7)}`;
}

/** 'dd/mm/yyyy' of a day key. */
export function keyToDate(key) {
  return `${dayMonth(key)}/${key.slice(0, 4)}`;
}
