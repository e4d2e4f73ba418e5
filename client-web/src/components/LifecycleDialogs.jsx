import { useState } from 'preact/hooks';
import { cancelMeeting, postponeMeeting } from '../api.js';
import { t } from '../i18n.js';
import { dayKey, formatTime, vnToIso } from '../time.js';
import { Dialog } from './Dialog.jsx';
import { ErrorAlert, invalidFields } from './ErrorAlert.jsx';
import { Field } from './Field.jsx';

function useSubmit(action) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return { busy, error, setError, submit };
}

/** Move a published meeting to new times (Vietnam time), with a reason; invitees are told. */
export function PostponeDialog({ meeting, onDone, onClose }) {
  const [date, setDate] = useState(dayKey(meeting.starts_at));
  const [start, setStart] = useState(formatTime(meeting.starts_at));
  const [endDate, setEndDate] = useState(dayKey(meeting.ends_at));
  const [end, setEnd] = useState(formatTime(meeting.ends_at));
  const [reason, setReason] = useState('');
  const { busy, error, setError, submit } = useSubmit(async () => {
    const startsAt = vnToIso(date, start);
    const endsAt = vnToIso(endDate, end);
    if (!startsAt || !endsAt || Date.parse(endsAt) <= Date.parse(startsAt)) {
      throw { message: t('meetingForm.endBeforeStart'), details: { fields: [{ field: 'ends_at' }] } };
    }
    onDone(await postponeMeeting(meeting.id, { starts_at: startsAt, ends_at: endsAt, reason: reason.trim() }));
  });
  const invalid = invalidFields(error);
  const changeDate = (value) => {
    if (endDate === date) setEndDate(value);
    setDate(value);
    setError(null);
  };
  return (
    <Dialog title={t('lifecycle.postponeTitle')} onClose={onClose} testId="postpone-dialog">
      <form class="form" onSubmit={submit}>
        <ErrorAlert error={error} testId="dialog-error" />
        <p class="muted">{t('lifecycle.postponeIntro')}</p>
        <div class="grid-2">
          <Field label={t('meetingForm.startDate')}>
            <input type="date" value={date} onInput={(e) => changeDate(e.currentTarget.value)} required data-testid="postpone-date" />
          </Field>
          <Field label={t('meetingForm.startTime')}>
            <input type="time" value={start} onInput={(e) => setStart(e.currentTarget.value)} required data-testid="postpone-start" />
          </Field>
          <Field label={t('meetingForm.endDate')}>
            <input type="date" value={endDate} onInput={(e) => setEndDate(e.currentTarget.value)} required
              aria-invalid={invalid('ends_at')} data-testid="postpone-end-date" />
          </Field>
          <Field label={t('meetingForm.endTime')}>
            <input type="time" value={end} onInput={(e) => setEnd(e.currentTarget.value)} required
              aria-invalid={invalid('ends_at')} data-testid="postpone-end" />
          </Field>
        </div>
        <Field label={t('lifecycle.reason')}>
          <textarea rows={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} required maxLength={1000}
            aria-invalid={invalid('reason')} data-testid="postpone-reason" />
        </Field>
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" class="btn btn-primary" disabled={busy || !reason.trim()} data-testid="postpone-submit">
            {t('lifecycle.postpone')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Cancel a meeting, with a reason; invitees are told once it was published. */
export function CancelDialog({ meeting, onDone, onClose }) {
  const [reason, setReason] = useState('');
  const { busy, error, submit } = useSubmit(async () => onDone(await cancelMeeting(meeting.id, reason.trim())));
  return (
    <Dialog title={t('lifecycle.cancelTitle')} onClose={onClose} testId="cancel-dialog">
      <form class="form" onSubmit={submit}>
        <ErrorAlert error={error} testId="dialog-error" />
        <p>{t('lifecycle.cancelIntro')}</p>
        <Field label={t('lifecycle.reason')}>
          <textarea rows={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} required maxLength={1000}
            autofocus data-testid="cancel-reason" />
        </Field>
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>{t('lifecycle.keep')}</button>
          <button type="submit" class="btn btn-danger" disabled={busy || !reason.trim()} data-testid="cancel-submit">
            {t('lifecycle.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
