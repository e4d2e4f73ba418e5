import { t } from '../i18n.js';

/** thường / hạn chế / mật, coloured. */
export function ConfidentialityBadge({ level }) {
  return (
    <span class={`badge conf-${level}`} data-testid="doc-confidentiality" data-level={level}>
      {t(`confidentiality.${level}`)}
    </span>
  );
}

/** Read status: new version since my last reading, read, or not yet read. */
export function ReadBadge({ doc }) {
  if (doc.changed_since_read) {
    return <span class="badge read-changed" data-testid="doc-changed" data-read="changed">{t('documents.changedSinceRead')}</span>;
  }
  if (doc.read_at) return <span class="badge read-done" data-testid="doc-read" data-read="read">{t('documents.read')}</span>;
  return <span class="badge read-new" data-testid="doc-unread" data-read="unread">{t('documents.unread')}</span>;
}
