import { useEffect, useState } from 'preact/hooks';
import { closeOpinionRound, commentsExportUrl, getComments, listDocuments, openOpinionRound } from '../api.js';
import { opinionSummary } from '../documents.js';
import { t } from '../i18n.js';
import { addDays, formatDateTime, todayKey, vnToIso } from '../time.js';
import { ConfidentialityBadge } from './DocumentBadges.jsx';
import { ErrorAlert } from './ErrorAlert.jsx';
import { Link } from './Link.jsx';

/** Open a round: a deadline in Vietnam time (default: a week from today, 17:00). */
function OpenRoundForm({ doc, onDone }) {
  const [date, setDate] = useState(addDays(todayKey(), 7));
  const [time, setTime] = useState('17:00');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await openOpinionRound(doc.id, vnToIso(date, time));
      await onDone();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return (
    <form class="form form-inline" onSubmit={submit} data-testid="round-form">
      <ErrorAlert error={error} testId="round-error" />
      <label class="field">
        <span class="field-label">{t('opinion.deadlineDate')}</span>
        <input type="date" value={date} required onInput={(e) => setDate(e.currentTarget.value)} data-testid="round-date" />
      </label>
      <label class="field">
        <span class="field-label">{t('opinion.deadlineTime')}</span>
        <input type="time" value={time} required onInput={(e) => setTime(e.currentTarget.value)} data-testid="round-time" />
      </label>
      <button type="submit" class="btn btn-primary" disabled={busy || !vnToIso(date, time)} data-testid="round-open">{t('opinion.open')}</button>
    </form>
  );
}

/** One document's round: status, who answered (per unit), comments per unit, exports. */
function DocumentOpinions({ doc }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const reload = () => getComments(doc.id).then((d) => (setData(d), setError(null)), setError);
  useEffect(() => {
    reload();
  }, [doc.id]);
  const close = async () => {
    setBusy(true);
    try {
      await closeOpinionRound(doc.id);
      await reload();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const summary = data && opinionSummary(data);
  return (
    <section class="card opinion-card" data-testid="opinion-document" data-document-id={doc.id}
      data-round={data?.round ? (data.round.open ? 'open' : 'closed') : 'none'}>
      <div class="section-head">
        <h3>
          <Link href={`/documents/${doc.id}`}>{doc.title}</Link> <ConfidentialityBadge level={doc.confidentiality} />
        </h3>
        {data?.round && (
          <div class="row-actions">
            <a class="btn btn-small" href={commentsExportUrl(doc.id, 'csv')} download data-testid="opinion-csv">{t('opinion.exportCsv')}</a>
            <a class="btn btn-small" href={commentsExportUrl(doc.id, 'pdf')} download data-testid="opinion-pdf">{t('opinion.exportPdf')}</a>
            {data.round.open && (
              <button type="button" class="btn btn-small btn-danger" disabled={busy} onClick={close} data-testid="round-close">{t('opinion.close')}</button>
            )}
          </div>
        )}
      </div>
      <ErrorAlert error={error} testId="opinion-error" />
      {!data && !error && <p class="loading" role="status">{t('app.loading')}</p>}
      {data && !data.round && <OpenRoundForm doc={doc} onDone={reload} />}
      {data?.round && (
        <>
          <p class={`alert ${data.round.open ? 'alert-warning' : 'alert-success'}`} data-testid="round-status">
            {data.round.open ? t('opinion.openUntil', { time: formatDateTime(data.round.deadline) }) : t('opinion.closedAt', { time: formatDateTime(data.round.deadline) })}
          </p>
          <p data-testid="opinion-answered">
            <strong>{t('opinion.unitsAnswered', { answered: summary.answered, total: summary.total })}</strong>
          </p>
          {summary.missing.length > 0 && (
            <p class="muted" data-testid="opinion-missing">{t('opinion.notAnswered')}: {summary.missing.map((u) => u.unit_name).join(', ')}</p>
          )}
          {summary.byUnit.length === 0 && <p class="empty">{t('opinion.none')}</p>}
          {summary.byUnit.map(({ unit, comments }) => (
            <div key={unit} class="opinion-unit" data-testid="opinion-unit">
              <h4>{unit}</h4>
              <ul class="note-list">
                {comments.map((c) => (
                  <li key={c.id} class="note" data-testid="opinion-comment">
                    <p class="note-text">{c.text}</p>
                    <div class="note-foot">
                      <span class="muted small">{c.user_name} · {formatDateTime(c.created_at)}</span>
                      <Link href={`/documents/${doc.id}?page=${c.page}`} class="small">{t('viewer.pageShort', { page: c.page })}</Link>
                    </div>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
    </section>
  );
}

/** The organisers' "Lấy ý kiến" tab: every document's opinion round. */
export function OpinionsPanel({ meeting }) {
  const [documents, setDocuments] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    listDocuments(meeting.id).then(setDocuments, setError);
  }, [meeting.id]);
  const live = (documents || []).filter((d) => !d.withdrawn);
  return (
    <div role="tabpanel" data-testid="opinions-panel">
      <p class="muted">{t('opinion.intro')}</p>
      <ErrorAlert error={error} testId="page-error" />
      {documents === null && !error && <p class="loading" role="status">{t('app.loading')}</p>}
      {documents && live.length === 0 && <p class="empty card">{t('documents.empty')}</p>}
      {live.map((doc) => <DocumentOpinions key={doc.id} doc={doc} />)}
    </div>
  );
}
