import { useEffect, useState } from 'preact/hooks';
import { listMinutes, minutesFileUrl } from '../api.js';
import { t } from '../i18n.js';
import { onLive } from '../live.js';
import { signedFileName, signedVersions } from '../minutes.js';
import { formatDateTime } from '../time.js';
import { ErrorAlert } from './ErrorAlert.jsx';

/** For participants: the signed minutes and conclusion notices of the meeting, to download. */
export function SignedMinutes({ meeting }) {
  const [records, setRecords] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const load = () => listMinutes(meeting.id).then(setRecords, setError);
    load();
    // a signature while the page is open: the new version appears
    return onLive('notification', (note) => note?.meeting_id === meeting.id && /\.signed$/.test(note.kind || '') && load());
  }, [meeting.id]);
  const groups = signedVersions(records || []);
  const none = records && groups.minutes.length === 0 && groups.notice.length === 0;
  return (
    <section class="card" role="tabpanel" aria-labelledby="signed-title" data-testid="signed-minutes">
      <h2 id="signed-title">{t('minutes.signedTitle')}</h2>
      <ErrorAlert error={error} testId="signed-error" />
      {!records && !error && <p class="loading" role="status">{t('app.loading')}</p>}
      {none && <p class="empty" data-testid="signed-empty">{t('minutes.noneSigned')}</p>}
      {records && !none && (
        <ul class="plain signed-list">
          {['minutes', 'notice'].flatMap((kind) => groups[kind].map((r, i) => (
            <li key={r.id} class="signed-row" data-testid="signed-row" data-kind={r.kind} data-version={r.version}>
              <span class="signed-what">
                <strong>{t(`minutesKind.${kind}`)}</strong>{' '}
                <span class="badge">{t('minutes.versionN', { version: r.version })}</span>
                {i === 0 && groups[kind].length > 1 && <span class="badge minutes-signed">{t('minutes.latest')}</span>}
              </span>
              <span class="muted small">{t('minutes.signedLine', { name: r.signed_by_name || '', at: formatDateTime(r.signed_at) })}</span>
              <a class="btn btn-small" href={minutesFileUrl(r.id)} download={signedFileName(r)} data-testid="signed-download">
                {t('minutes.download')}
              </a>
            </li>
          )))}
        </ul>
      )}
    </section>
  );
}
