// The notification centre's state: the latest notifications and the unread
// count, loaded from the API and updated live from the socket's
// `notification` event. DOM-free; components subscribe with onNotifications().

import { listNotifications, markAllNotificationsRead, markNotificationRead } from './api.js';
import { t, vi } from './i18n.js';
import { formatDate, formatDateTime } from './time.js';

const TIMES = ['starts_at', 'previous_start']; // ISO moments in a notification's params
const DATES = ['due_on']; // ISO days

/** Whether the translation table has `key` (every key is in both languages). */
const known = (key) => key in vi;

/**
 * A notification's title and body in the current language, worded from the facts the
 * server sent with it (`params`). Notifications stored before params existed, or of a kind
 * this client does not know, keep the server's (Vietnamese) wording.
 * @returns {{title: string, body: string}}
 */
export function notificationText(note) {
  const params = note.params || {};
  const variant = note.kind === 'meeting.agenda_changed' ? `.${params.change}` : '';
  const titleKey = `notificationText.${note.kind}.title`;
  const bodyKey = `notificationText.${note.kind}.body${variant}`;
  if (!Object.keys(params).length || !known(titleKey) || !known(bodyKey)) {
    return { title: note.title, body: note.body };
  }
  const values = { ...params };
  for (const name of TIMES) if (params[name]) values[name] = formatDateTime(params[name]);
  for (const name of DATES) if (params[name]) values[name] = formatDate(params[name]);
  values.where = params.location ? t('notificationText.where', { location: params.location }) : '';
  if (params.fields !== undefined) {
    values.fields = params.fields.split(',').filter((f) => known(`notificationField.${f}`))
      .map((f) => t(`notificationField.${f}`)).join(', ');
  }
  return { title: t(titleKey, values), body: t(bodyKey, values) };
}

/** The label of a notification's kind ("Meeting invitation", ...), "Notification" if unknown. */
export function notificationKind(note) {
  const key = `notificationKind.${note.kind}`;
  return t(known(key) ? key : 'notificationKind.other');
}


let state = { items: [], unread: 0, loaded: false };
const listeners = new Set();

function set(next) {
  state = next;
  listeners.forEach((fn) => fn(state));
}

/** @returns {{items: import('./api.js').Notification[], unread: number, loaded: boolean}} */
export function notificationState() {
  return state;
}

/** Subscribe to changes; returns an unsubscribe function. */
export function onNotifications(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Reload from the server (after login, and after a reconnect that may have missed events). */
export async function refreshNotifications() {
  const { notifications, unread } = await listNotifications();
  set({ items: notifications, unread, loaded: true });
}

/** A notification pushed live: shown first and counted, once. */
export function receiveNotification(note) {
  if (!note || state.items.some((n) => n.id === note.id)) return;
  set({ ...state, items: [note, ...state.items], unread: state.unread + (note.read_at ? 0 : 1) });
}

const marking = new Map(); // id -> pending request, so a double click counts once

/** Mark one read on the server, then locally. */
export function readNotification(id) {
  const note = state.items.find((n) => n.id === id);
  if (note?.read_at) return Promise.resolve();
  if (!marking.has(id)) {
    const request = markNotificationRead(id)
      .then(() => {
        const now = new Date().toISOString();
        const wasUnread = state.items.some((n) => n.id === id && !n.read_at);
        set({
          ...state,
          items: state.items.map((n) => (n.id === id && !n.read_at ? { ...n, read_at: now } : n)),
          unread: wasUnread ? Math.max(0, state.unread - 1) : state.unread,
        });
      })
      .finally(() => marking.delete(id));
    marking.set(id, request);
  }
  return marking.get(id);
}

/**
 * Mark read every unread notification about one meeting (its page is open, so
 * the user sees the current state).
 */
export function readMeetingNotifications(meetingId) {
  const ids = state.items.filter((n) => !n.read_at && n.meeting_id === meetingId).map((n) => n.id);
  return Promise.all(ids.map(readNotification));
}

/** Mark all read on the server, then locally. */
export async function readAllNotifications() {
  await markAllNotificationsRead();
  const now = new Date().toISOString();
  set({ ...state, items: state.items.map((n) => (n.read_at ? n : { ...n, read_at: now })), unread: 0 });
}

/** Forget everything (logout). */
export function clearNotifications() {
  set({ items: [], unread: 0, loaded: false });
}
