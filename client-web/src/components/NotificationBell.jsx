import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n.js';
import { liveStatus, onLive } from '../live.js';
import {
  notificationKind, notificationState, notificationText, onNotifications, readAllNotifications, readNotification,
} from '../notifications.js';
import { navigate } from '../router.js';
import { formatDateTime } from '../time.js';
import { Link } from './Link.jsx';

/** Hook: the notification centre's state, re-rendering on every change. */
export function useNotifications() {
  const [state, setState] = useState(notificationState);
  useEffect(() => onNotifications(setState), []);
  return state;
}

/** Hook: the live connection's status (connected / disconnected …). */
export function useLiveStatus() {
  const [status, setStatus] = useState(liveStatus);
  useEffect(() => onLive('status', setStatus), []);
  return status;
}

/** Open a notification: mark it read, then go to its meeting (if any). */
export async function openNotification(note) {
  try {
    await readNotification(note.id);
  } catch {
    // still go to the meeting; the mark will be retried next time
  }
  if (note.meeting_id) navigate(`/meetings/${note.meeting_id}`);
}

/** One notification as a clickable row (used by the menu and the page), in the reader's language. */
export function NotificationItem({ note, onOpen }) {
  const { title, body } = notificationText(note);
  return (
    <button type="button" class={`notification${note.read_at ? '' : ' is-unread'}`} data-testid="notification-item"
      data-notification-id={note.id} data-meeting-id={note.meeting_id ?? ''} data-read={note.read_at ? 'true' : 'false'}
      onClick={() => onOpen(note)}>
      <span class="notification-kind">{notificationKind(note)}</span>
      <span class="notification-title">{title}</span>
      {body && <span class="notification-body">{body}</span>}

      <span class="notification-time">{formatDateTime(note.created_at)}</span>
    </button>
  );
}

const MENU_SIZE = 6;

/** The bell in the header: unread count (live), a menu of the latest, mark all read. */
export function NotificationBell() {
  const { items, unread } = useNotifications();
  const live = useLiveStatus();
  const [open, setOpen] = useState(false);
  const box = useRef(null);

  useEffect(() => {
    if (!open) return undefined;
    const onDown = (event) => box.current && !box.current.contains(event.target) && setOpen(false);
    const onKey = (event) => event.key === 'Escape' && setOpen(false);
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const label = unread ? t('notifications.bellUnread', { count: unread }) : t('notifications.bell');
  const select = (note) => {
    setOpen(false);
    openNotification(note);
  };
  return (
    <div class="bell-box" ref={box}>
      <button type="button" class="btn btn-ghost bell" aria-label={label} title={label} aria-expanded={open ? 'true' : 'false'}
        aria-haspopup="true" data-testid="notification-bell" data-live={live} data-unread={unread} onClick={() => setOpen(!open)}>
        <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22" fill="currentColor">
          <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" />
        </svg>
        {unread > 0 && <span class="bell-count" data-testid="notification-count">{unread > 99 ? '99+' : unread}</span>}
      </button>
      {open && (
        <div class="bell-menu" data-testid="notification-menu">
          <div class="bell-menu-head">
            <strong>{t('notifications.title')}</strong>
            <button type="button" class="link-button" disabled={unread === 0} data-testid="notifications-read-all"
              onClick={() => readAllNotifications().catch(() => {})}>
              {t('notifications.readAll')}
            </button>
          </div>
          {items.length === 0 ? (
            <p class="empty">{t('notifications.empty')}</p>
          ) : (
            <ul class="notification-list">
              {items.slice(0, MENU_SIZE).map((note) => <li key={note.id}><NotificationItem note={note} onOpen={select} /></li>)}
            </ul>
          )}
          <Link href="/notifications" class="bell-menu-all" data-testid="notifications-all" onClick={() => setOpen(false)}>
            {t('notifications.seeAll')}
          </Link>
        </div>
      )}
    </div>
  );
}
