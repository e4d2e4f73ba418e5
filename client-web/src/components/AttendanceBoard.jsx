import { useEffect, useState } from 'preact/hooks';
import { getAttendance, remindPending } from '../api.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../time.js';
import { ErrorAlert } from './ErrorAlert.jsx';
import { AnswerBadge } from './MeetingBadges.jsx';

const COUNTS = ['attending', 'delegated', 'declined', 'pending'];

function Summary({ summary, label, testId }) {
  return (
    <div class="summary" data-testid={testId}>
      <div class="summary-total">
        <span class="summary-number" data-testid={`${testId}-total`}>{summary.total}</span>
        <span class="summary-label">{label}</span>
      </div>
      {COUNTS.map((key) => (
        <div key={key} class={`summary-cell answer-${key}`}>
          <span class="summary-number" data-testid={`${testId}-${key}`}>{summary[key]}</span>
          <span class="summary-label">{t(`summary.${key}`)}</span>
        </div>
      ))}
    </div>
  );
}

function answeredAt(inv) {
  if (inv.answered_at) return formatDateTime(inv.answered_at);
  if (inv.reminded_at) return t('attendance.remindedAt', { time: formatDateTime(inv.reminded_at) });
  return t('common.none');
}

/**
 * The attendance board for organisers and the chair: people and commune sites,
 * with answers, reasons, substitutes and who sits in each commune room; a
 * reminder to everyone who has not answered.
 */
export function AttendanceBoard({ meeting, canRemind }) {
  const [board, setBoard] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [reminded, setReminded] = useState(null);

  const reload = () => getAttendance(meeting.id).then((b) => (setBoard(b), setError(null)), setError);
  useEffect(() => {
    reload();
  }, [meeting.id]);

  const remind = async () => {
    setBusy(true);
    setError(null);
    setReminded(null);
    try {
      setReminded(await remindPending(meeting.id));
      await reload();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };

  if (!board) return error ? <ErrorAlert error={error} testId="page-error" /> : <p class="loading" role="status">{t('app.loading')}</p>;
  const pending = board.people_summary.pending + board.sites_summary.pending;
  return (
    <section class="card" aria-labelledby="attendance-title" data-testid="attendance-board">
      <div class="section-head">
        <h2 id="attendance-title">{t('attendance.title')}</h2>
        <div class="row-actions">
          <button type="button" class="btn" onClick={reload} data-testid="attendance-refresh">{t('common.refresh')}</button>
          {canRemind && (
            <button type="button" class="btn btn-primary" disabled={busy || pending === 0} onClick={remind}
              data-testid="attendance-remind">
              {t('attendance.remind')}
            </button>
          )}
        </div>
      </div>
      <ErrorAlert error={error} testId="attendance-error" />
      {reminded !== null && (
        <p class="alert alert-success" role="status" data-testid="attendance-reminded">
          {t('attendance.reminded', { count: reminded })}
        </p>
      )}
      <div class="summaries">
        <Summary summary={board.people_summary} label={t('attendance.peopleCount')} testId="summary-people" />
        <Summary summary={board.sites_summary} label={t('attendance.sitesCount')} testId="summary-sites" />
      </div>

      <h3>{t('invite.people')}</h3>
      <div class="table-wrap">
        <table class="table" data-testid="attendance-people">
          <thead>
            <tr>
              <th scope="col">{t('attendance.person')}</th>
              <th scope="col">{t('users.unit')}</th>
              <th scope="col">{t('attendance.answer')}</th>
              <th scope="col">{t('attendance.reason')}</th>
              <th scope="col">{t('attendance.substitute')}</th>
              <th scope="col">{t('attendance.answeredAt')}</th>
            </tr>
          </thead>
          <tbody>
            {board.people.length === 0 && <tr><td colSpan={6} class="empty">{t('invite.noPeople')}</td></tr>}
            {board.people.map((inv) => (
              <tr key={inv.id} data-testid="attendance-person" data-user-id={inv.user.id} data-answer={inv.answer}>
                <th scope="row" class="wrap">{inv.user.full_name}{inv.user.title && <span class="sub">{inv.user.title}</span>}</th>
                <td class="wrap">{inv.unit_name}</td>
                <td><AnswerBadge answer={inv.answer} /></td>
                <td class="wrap" data-testid="attendance-reason">{inv.reason || t('common.none')}</td>
                <td class="wrap">{inv.substitute ? inv.substitute.full_name : t('common.none')}</td>
                <td class="wrap">{answeredAt(inv)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3>{t('invite.sites')}</h3>
      <div class="table-wrap">
        <table class="table" data-testid="attendance-sites">
          <thead>
            <tr>
              <th scope="col">{t('attendance.site')}</th>
              <th scope="col">{t('attendance.responsible')}</th>
              <th scope="col">{t('attendance.answer')}</th>
              <th scope="col">{t('attendance.reason')}</th>
              <th scope="col">{t('attendance.attendees')}</th>
              <th scope="col">{t('attendance.answeredAt')}</th>
            </tr>
          </thead>
          <tbody>
            {board.sites.length === 0 && <tr><td colSpan={6} class="empty">{t('invite.noSites')}</td></tr>}
            {board.sites.map((inv) => (
              <tr key={inv.id} data-testid="attendance-site" data-unit-id={inv.unit_id} data-answer={inv.answer}>
                <th scope="row" class="wrap">{inv.unit_name}{inv.voting && <span class="sub">{t('invite.votes')}</span>}</th>
                <td class="wrap">{inv.responsible?.full_name || t('common.none')}</td>
                <td><AnswerBadge answer={inv.answer} site /></td>
                <td class="wrap" data-testid="attendance-reason">{inv.reason || t('common.none')}</td>
                <td class="wrap">{inv.attendees.length ? inv.attendees.join(', ') : t('common.none')}</td>
                <td class="wrap">{answeredAt(inv)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
