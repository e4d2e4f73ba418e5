import { useEffect, useState } from 'preact/hooks';
import { createMeeting, listUnits, listUsers, updateMeeting } from '../api.js';
import { t } from '../i18n.js';
import { MEETING_ACCESS, MEETING_KINDS } from '../meetings.js';
import { addDays, dayKey, formatRange, formatTime, todayKey, vnToIso, weekdayName } from '../time.js';
import { ErrorAlert, invalidFields } from './ErrorAlert.jsx';
import { Field } from './Field.jsx';
import { UnitSelect } from './UnitSelect.jsx';

function initialState(meeting, user) {
  if (meeting) {
    return {
      title: meeting.title,
      kind: meeting.kind,
      access: meeting.access,
      startDate: dayKey(meeting.starts_at),
      startTime: formatTime(meeting.starts_at),
      endDate: dayKey(meeting.ends_at),
      endTime: formatTime(meeting.ends_at),
      location: meeting.location,
      online: meeting.online,
      description: meeting.description,
      hostUnitId: meeting.host_unit_id,
      chairId: meeting.chair?.id ?? null,
      organiserIds: meeting.organisers.map((p) => p.id).filter((id) => id !== user.id),
    };
  }
  const tomorrow = addDays(todayKey(), 1);
  return {
    title: '',
    kind: 'regular',
    access: 'restricted',
    startDate: tomorrow,
    startTime: '08:00',
    endDate: tomorrow,
    endTime: '11:00',
    location: '',
    online: true,
    description: '',
    hostUnitId: user.unit_id,
    chairId: null,
    organiserIds: [],
  };
}

/**
 * The chosen time written out (weekday, dd/mm/yyyy, 24-hour clock): the browser's
 * own date and time pickers follow its language (e.g. 12/07/2026, 08:00 AM).
 */
function TimeEcho({ form }) {
  const start = vnToIso(form.startDate, form.startTime);
  const end = vnToIso(form.endDate, form.endTime);
  if (!start || !end || Date.parse(end) <= Date.parse(start)) return null;
  return (
    <p class="time-echo" data-testid="meeting-time-echo" aria-live="polite">
      {weekdayName(form.startDate)}, {formatRange(start, end)}
    </p>
  );
}

/**
 * The organiser's details form: create a draft (meeting = null) or edit one.
 * Date and time inputs are Vietnam time; they are sent with +07:00.
 */
export function MeetingForm({ meeting, user, onSaved, onCancel, readOnly = false }) {
  const [form, setForm] = useState(() => initialState(meeting, user));
  const [chairs, setChairs] = useState([]);
  const [secretaries, setSecretaries] = useState([]);
  const [units, setUnits] = useState([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    listUsers({ role: 'chair' }).then((list) => setChairs(list.filter((u) => !u.disabled)), setError);
    listUsers({ role: 'secretary' }).then((list) => setSecretaries(list.filter((u) => !u.disabled && u.id !== user.id)), setError);
    if (!meeting) listUnits().then(setUnits, setError);
  }, []);

  const set = (name) => (event) => {
    const { type, checked, value } = event.currentTarget;
    setSaved(false);
    setForm((f) => ({ ...f, [name]: type === 'checkbox' ? checked : value }));
  };
  const setStartDate = (event) => {
    const value = event.currentTarget.value;
    setSaved(false);
    // the end moves with the start when it was on the same day
    setForm((f) => ({ ...f, startDate: value, endDate: f.endDate === f.startDate || !f.endDate ? value : f.endDate }));
  };
  const toggleOrganiser = (id) => setForm((f) => ({
    ...f,
    organiserIds: f.organiserIds.includes(id) ? f.organiserIds.filter((x) => x !== id) : [...f.organiserIds, id],
  }));

  const invalid = invalidFields(error);
  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const startsAt = vnToIso(form.startDate, form.startTime);
    const endsAt = vnToIso(form.endDate, form.endTime);
    if (!startsAt || !endsAt) {
      setError({ message: t('meetingForm.badTime'), details: { fields: [{ field: 'starts_at' }, { field: 'ends_at' }] } });
      return;
    }
    if (Date.parse(endsAt) <= Date.parse(startsAt)) {
      setError({ message: t('meetingForm.endBeforeStart'), details: { fields: [{ field: 'ends_at' }] } });
      return;
    }
    const data = {
      title: form.title.trim(),
      kind: form.kind,
      access: form.access,
      online: form.online,
      location: form.location.trim(),
      description: form.description.trim(),
      starts_at: startsAt,
      ends_at: endsAt,
      chair_id: form.chairId,
      organiser_ids: form.organiserIds,
    };
    setBusy(true);
    try {
      const result = meeting
        ? await updateMeeting(meeting.id, data)
        : await createMeeting({ ...data, host_unit_id: form.hostUnitId });
      setBusy(false);
      setSaved(true);
      onSaved(result);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  // a current organiser who is not in the secretary list (e.g. a chair) stays listed
  const organiserChoices = [
    ...secretaries,
    ...(meeting?.organisers || [])
      .filter((p) => p.id !== user.id && !secretaries.some((s) => s.id === p.id))
      .map((p) => ({ id: p.id, full_name: p.full_name, unit_name: p.unit_name, title: p.title })),
  ];

  return (
    <form class="form meeting-form" onSubmit={submit} data-testid="meeting-form">
      <ErrorAlert error={error} testId="form-error" />
      {saved && meeting && <p class="alert alert-success" role="status" data-testid="form-saved">{t('meetingForm.saved')}</p>}
      <fieldset class="form-fields" disabled={readOnly || busy}>
        <Field label={t('meeting.title')}>
          <textarea name="title" rows={2} value={form.title} onInput={set('title')} required maxLength={300}
            autofocus={!meeting} aria-invalid={invalid('title')} data-testid="meeting-title-input" />
        </Field>
        <div class="grid-2">
          <Field label={t('meeting.kind')}>
            <select name="kind" value={form.kind} onChange={set('kind')} data-testid="meeting-kind">
              {MEETING_KINDS.map((k) => <option key={k} value={k}>{t(`meetingKind.${k}`)}</option>)}
            </select>
          </Field>
          <Field label={t('meeting.access')}>
            <select name="access" value={form.access} onChange={set('access')} data-testid="meeting-access">
              {MEETING_ACCESS.map((a) => <option key={a} value={a}>{t(`access.${a}`)}</option>)}
            </select>
          </Field>
        </div>
        <fieldset class="field time-fields">
          <legend class="field-label">{t('meeting.time')} <span class="muted">({t('time.vietnam')})</span></legend>
          <div class="grid-4">
            <Field label={t('meetingForm.startDate')}>
              <input type="date" name="start_date" value={form.startDate} onInput={setStartDate} required
                aria-invalid={invalid('starts_at')} data-testid="meeting-start-date" />
            </Field>
            <Field label={t('meetingForm.startTime')}>
              <input type="time" name="start_time" value={form.startTime} onInput={set('startTime')} required
                aria-invalid={invalid('starts_at')} data-testid="meeting-start-time" />
            </Field>
            <Field label={t('meetingForm.endDate')}>
              <input type="date" name="end_date" value={form.endDate} onInput={set('endDate')} required
                aria-invalid={invalid('ends_at')} data-testid="meeting-end-date" />
            </Field>
            <Field label={t('meetingForm.endTime')}>
              <input type="time" name="end_time" value={form.endTime} onInput={set('endTime')} required
                aria-invalid={invalid('ends_at')} data-testid="meeting-end-time" />
            </Field>
          </div>
          <TimeEcho form={form} />
        </fieldset>
        <div class="grid-2">
          <Field label={t('meeting.location')} hint={t('meetingForm.locationHint')}>
            <input name="location" value={form.location} onInput={set('location')} maxLength={300}
              aria-invalid={invalid('location')} data-testid="meeting-location" />
          </Field>
          <div class="field field-check">
            <label class="check">
              <input type="checkbox" name="online" checked={form.online} onChange={set('online')} data-testid="meeting-online" />
              {t('meetingForm.online')}
            </label>
          </div>
        </div>
        <div class="grid-2">
          {!meeting && (
            <Field label={t('meeting.hostUnit')}>
              <UnitSelect units={units} value={form.hostUnitId} onChange={(v) => setForm((f) => ({ ...f, hostUnitId: v }))}
                data-testid="meeting-host-unit" />
            </Field>
          )}
          <Field label={t('meeting.chair')} hint={t('meetingForm.chairHint')}>
            <select name="chair_id" value={form.chairId ?? ''} aria-invalid={invalid('chair_id')} data-testid="meeting-chair"
              onChange={(e) => setForm((f) => ({ ...f, chairId: e.currentTarget.value ? Number(e.currentTarget.value) : null }))}>
              <option value="">{t('meetingForm.chooseChair')}</option>
              {chairs.map((u) => (
                <option key={u.id} value={u.id}>{u.full_name}{u.title ? ` — ${u.title}` : ''}</option>
              ))}
            </select>
          </Field>
        </div>
        <fieldset class="field checks" data-testid="meeting-organisers">
          <legend class="field-label">{t('meetingForm.extraSecretaries')}</legend>
          {organiserChoices.length === 0 && <span class="muted">{t('meetingForm.noOtherSecretaries')}</span>}
          {organiserChoices.map((u) => (
            <label key={u.id} class="check">
              <input type="checkbox" checked={form.organiserIds.includes(u.id)} onChange={() => toggleOrganiser(u.id)} />
              {u.full_name} <span class="muted">({u.unit_name})</span>
            </label>
          ))}
        </fieldset>
        <Field label={t('meeting.description')}>
          <textarea name="description" rows={3} value={form.description} onInput={set('description')} maxLength={5000}
            data-testid="meeting-description" />
        </Field>
      </fieldset>
      {!readOnly && (
        <div class="form-actions">
          {onCancel && <button type="button" class="btn" onClick={onCancel}>{t('common.cancel')}</button>}
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="meeting-save">
            {busy ? t('common.saving') : t(meeting ? 'common.save' : 'meetingForm.createDraft')}
          </button>
        </div>
      )}
    </form>
  );
}
