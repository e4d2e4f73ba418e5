import { useEffect, useState } from 'preact/hooks';
import { answerInvitation, listUsers } from '../api.js';
import { t } from '../i18n.js';
import { splitNames } from '../meetings.js';
import { formatDateTime } from '../time.js';
import { Dialog } from './Dialog.jsx';
import { ErrorAlert } from './ErrorAlert.jsx';
import { Field } from './Field.jsx';
import { AnswerBadge } from './MeetingBadges.jsx';

/** Shared frame of the answer dialogs: error, fields, cancel/submit. */
function AnswerDialog({ title, testId, submitLabel, onSubmit, onClose, children, canSubmit = true }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose} testId={testId}>
      <form class="form" onSubmit={submit}>
        <ErrorAlert error={error} testId="dialog-error" />
        {children}
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" class="btn btn-primary" disabled={busy || !canSubmit} data-testid="answer-submit">
            {busy ? t('common.saving') : submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DeclineDialog({ meetingId, invitation, onDone, onClose }) {
  const [reason, setReason] = useState(invitation.answer === 'declined' ? invitation.reason || '' : '');
  return (
    <AnswerDialog title={t('answer.declineTitle')} testId="decline-dialog" submitLabel={t('answer.decline')}
      canSubmit={reason.trim() !== ''}
      onSubmit={async () => onDone(await answerInvitation(meetingId, { answer: 'declined', reason: reason.trim() }))}
      onClose={onClose}>
      <Field label={t('answer.reason')} hint={t('answer.reasonRequired')}>
        <textarea rows={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} required maxLength={1000}
          autofocus data-testid="decline-reason" />
      </Field>
    </AnswerDialog>
  );
}

/**
 * Pick a substitute among the people of my unit. Plain delegates may not read
 * the user directory (403): then say so clearly instead of an empty list.
 */
function DelegateDialog({ meetingId, user, invitation, onDone, onClose }) {
  const [people, setPeople] = useState(null);
  const [forbidden, setForbidden] = useState(false);
  const [loadError, setLoadError] = useState(null);
  const [substitute, setSubstitute] = useState(invitation.substitute ? String(invitation.substitute.id) : '');
  const [note, setNote] = useState(invitation.answer === 'delegated' ? invitation.reason || '' : '');

  useEffect(() => {
    listUsers({ unit_id: invitation.unit_id }).then(
      (list) => setPeople(list.filter((p) => p.id !== user.id && !p.disabled && !p.roles.includes('site'))),
      (err) => (err.status === 403 ? setForbidden(true) : setLoadError(err)),
    );
  }, []);

  return (
    <AnswerDialog title={t('answer.delegateTitle')} testId="delegate-dialog" submitLabel={t('answer.delegate')}
      canSubmit={substitute !== ''}
      onSubmit={async () => onDone(await answerInvitation(meetingId, {
        answer: 'delegated', substitute_id: Number(substitute), reason: note.trim() || null,
      }))}
      onClose={onClose}>
      <p class="muted">{t('answer.delegateIntro', { unit: invitation.unit_name })}</p>
      <ErrorAlert error={loadError} />
      {forbidden && <p class="alert alert-warning" data-testid="substitute-forbidden">{t('answer.substituteForbidden')}</p>}
      {people === null && !forbidden && !loadError && <p class="loading" role="status">{t('app.loading')}</p>}
      {people && (
        people.length === 0 ? (
          <p class="empty" data-testid="substitute-none">{t('answer.noColleagues')}</p>
        ) : (
          <Field label={t('answer.substitute')}>
            <select value={substitute} onChange={(e) => setSubstitute(e.currentTarget.value)} required data-testid="substitute-select">
              <option value="">{t('answer.chooseSubstitute')}</option>
              {people.map((p) => <option key={p.id} value={p.id}>{p.full_name}{p.title ? ` — ${p.title}` : ''}</option>)}
            </select>
          </Field>
        )
      )}
      <Field label={t('answer.note')}>
        <textarea rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} maxLength={1000} data-testid="delegate-note" />
      </Field>
    </AnswerDialog>
  );
}

/** A commune site confirms for its room and lists who will sit there. */
function SiteConfirmDialog({ meetingId, invitation, onDone, onClose }) {
  const [names, setNames] = useState(invitation.attendees.join('\n'));
  return (
    <AnswerDialog title={t('answer.siteConfirmTitle')} testId="site-confirm-dialog" submitLabel={t('answer.siteConfirm')}
      onSubmit={async () => onDone(await answerInvitation(meetingId, { answer: 'attending', attendees: splitNames(names) }))}
      onClose={onClose}>
      <p class="muted">{t('answer.siteConfirmIntro', { unit: invitation.unit_name })}</p>
      <Field label={t('answer.attendees')} hint={t('answer.attendeesHint')}>
        <textarea rows={5} value={names} onInput={(e) => setNames(e.currentTarget.value)} autofocus data-testid="site-attendees" />
      </Field>
    </AnswerDialog>
  );
}

/**
 * My invitation: the current answer and, while the meeting takes answers, the
 * buttons to attend, decline (with a reason) or send a substitute. A commune
 * site confirms for its room (with attendees) or declines; it has no substitute.
 */
export function MyInvitation({ meeting, user, canAnswer, onAnswered }) {
  const invitation = meeting.my_invitation;
  const [dialog, setDialog] = useState(null); // decline | delegate | site
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const site = invitation.kind === 'site';

  const done = (answered) => {
    setDialog(null);
    onAnswered(answered);
  };
  const attend = async () => {
    setBusy(true);
    setError(null);
    try {
      done(await answerInvitation(meeting.id, { answer: 'attending' }));
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };

  return (
    <section class="card my-invitation" aria-labelledby="my-invitation-title" data-testid="my-invitation" data-answer={invitation.answer}>
      <h2 id="my-invitation-title">{site ? t('answer.siteTitle', { unit: invitation.unit_name }) : t('answer.title')}</h2>
      <p class="my-answer">
        {t('answer.current')}: <AnswerBadge answer={invitation.answer} site={site} testId="my-answer" />
        {invitation.answered_at && <span class="muted"> · {formatDateTime(invitation.answered_at)}</span>}
      </p>
      {invitation.answer === 'declined' && invitation.reason && (
        <p data-testid="my-reason">{t('answer.reason')}: {invitation.reason}</p>
      )}
      {invitation.answer === 'delegated' && invitation.substitute && (
        <p data-testid="my-substitute">{t('answer.substitute')}: <strong>{invitation.substitute.full_name}</strong>
          {invitation.reason && <> — {invitation.reason}</>}</p>
      )}
      {site && invitation.attendees.length > 0 && (
        <p data-testid="my-attendees">{t('answer.attendees')}: {invitation.attendees.join(', ')}</p>
      )}
      {site && invitation.responsible && (
        <p class="muted">{t('attendance.responsible')}: {invitation.responsible.full_name}</p>
      )}
      {site && invitation.voting && <p class="muted">{t('answer.votes')}</p>}
      <ErrorAlert error={error} testId="answer-error" />
      {canAnswer ? (
        <div class="answer-buttons">
          {site ? (
            <button type="button" class="btn btn-primary" data-testid="answer-attend" onClick={() => setDialog('site')}>
              {t('answer.siteConfirm')}
            </button>
          ) : (
            <button type="button" class="btn btn-primary" data-testid="answer-attend" disabled={busy} onClick={attend}>
              {t('answer.attend')}
            </button>
          )}
          <button type="button" class="btn" data-testid="answer-decline" onClick={() => setDialog('decline')}>
            {t('answer.decline')}
          </button>
          {!site && (
            <button type="button" class="btn" data-testid="answer-delegate" onClick={() => setDialog('delegate')}>
              {t('answer.delegate')}
            </button>
          )}
        </div>
      ) : (
        <p class="muted" data-testid="answer-closed">{t('answer.closed')}</p>
      )}
      {dialog === 'decline' && <DeclineDialog meetingId={meeting.id} invitation={invitation} onDone={done} onClose={() => setDialog(null)} />}
      {dialog === 'delegate' && (
        <DelegateDialog meetingId={meeting.id} user={user} invitation={invitation} onDone={done} onClose={() => setDialog(null)} />
      )}
      {dialog === 'site' && <SiteConfirmDialog meetingId={meeting.id} invitation={invitation} onDone={done} onClose={() => setDialog(null)} />}
    </section>
  );
}
