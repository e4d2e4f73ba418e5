import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.js';
import { readAllNotifications, refreshNotifications } from '../notifications.js';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { NotificationItem, openNotification, useNotifications } from '../components/NotificationBell.jsx';
import { Page } from '../components/Page.jsx';

/** The notification centre: newest first; opening one marks it read and goes to the meeting. */
export function Notifications() {
  const { items, unread, loaded } = useNotifications();
  const [error, setError] = useState(null);
  useEffect(() => {
    refreshNotifications().catch(setError);
  }, []);
  const readAll = () => readAllNotifications().then(() => setError(null), setError);
  const actions = (
    <button type="button" class="btn" disabled={unread === 0} onClick={readAll} data-testid="notifications-page-read-all">
      {t('notifications.readAll')}
    </button>
  );
  return (
    <Page title={t('notifications.title')} actions={actions}>
      <ErrorAlert error={error} testId="page-error" />
      <p class="muted" data-testid="notifications-unread">{t('notifications.unreadCount', { count: unread })}</p>
      {!loaded && !error ? (
        <p class="loading" role="status">{t('app.loading')}</p>
      ) : items.length === 0 ? (
        <p class="empty card">{t('notifications.empty')}</p>
      ) : (
        <ul class="notification-list notification-page" data-testid="notification-list">
          {items.map((note) => <li key={note.id}><NotificationItem note={note} onOpen={openNotification} /></li>)}
        </ul>
      )}
    </Page>
  );
}
