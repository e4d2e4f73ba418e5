import { useEffect, useState } from 'preact/hooks';
import { addAgendaItem, listUsers, reorderAgenda, updateAgendaItem } from '../api.js';
import { canMove, moveItem, overrunMinutes } from '../agenda.js';
import { t } from '../i18n.js';
import { formatTime } from '../time.js';
import { AgendaLine } from './AgendaView.jsx';
import { Dialog } from './Dialog.jsx';
import { ErrorAlert, invalidFields } from './ErrorAlert.jsx';
import { Field } from './Field.jsx';

const OTHER = 'other';

/** Add or edit one agenda item; the presenter is a person of the directory or a free-text name. */
function ItemForm({ meetingId, item, parent, people, onSaved, onClose }) {
  const knownPresenter = item?.presenter_id != null && people.some((p) => p.id === item.presenter_id);
  const [title, setTitle] = useState(item?.title ?? '');
  const [presenter, setPresenter] = useState(
    knownPresenter ? String(item.presenter_id) : item?.presenter_name ? OTHER : '',
  );
  const [presenterName, setPresenterName] = useState(knownPresenter ? '' : item?.presenter_name ?? '');
  const [duration, setDuration] = useState(String(item?.duration_minutes ?? 30));
  const [summary, setSummary] = useState(item?.summary ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const invalid = invalidFields(error);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const chosen = presenter && presenter !== OTHER ? Number(presenter) : null;
    const data = {
      title: title.trim(),
      presenter_id: chosen,
      duration_minutes: Number(duration) || 0,
      summary: summary.trim(),
    };
    // with a person chosen the server fills in their name; otherwise the typed one (or none)
    if (chosen === null) data.presenter_name = presenter === OTHER ? presenterName.trim() : '';
    try {
      if (item) await updateAgendaItem(meetingId, item.id, data);
      else await addAgendaItem(meetingId, { ...data, parent_id: parent?.id ?? null });
      onSaved();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const heading = item ? t('agenda.editTitle') : parent ? t('agenda.addSubTitle', { number: parent.number || '' }) : t('agenda.addTitle');
  return (
    <Dialog title={heading} onClose={onClose} testId="agenda-form">
      <form class="form" onSubmit={submit}>
        <ErrorAlert error={error} testId="form-error" />
        {parent && <p class="muted">{t('agenda.under')}: {parent.number}. {parent.title}</p>}
        <Field label={t('agenda.itemTitle')}>
          <textarea name="title" rows={2} value={title} onInput={(e) => setTitle(e.currentTarget.value)} required
            maxLength={500} autofocus aria-invalid={invalid('title')} data-testid="agenda-title" />
        </Field>
        <div class="grid-2">
          <Field label={t('agenda.presenter')}>
            <select value={presenter} onChange={(e) => setPresenter(e.currentTarget.value)} data-testid="agenda-presenter">
              <option value="">{t('agenda.noPresenter')}</option>
              {people.map((p) => (
                <option key={p.id} value={p.id}>{p.full_name} — {p.title || p.unit_name}</option>
              ))}
              <option value={OTHER}>{t('agenda.otherPresenter')}</option>
            </select>
          </Field>
          <Field label={t('agenda.duration')}>
            <input type="number" min={0} max={1440} step={5} value={duration} required
              onInput={(e) => setDuration(e.currentTarget.value)} aria-invalid={invalid('duration_minutes')}
              data-testid="agenda-duration" />
          </Field>
        </div>
        {presenter === OTHER && (
          <Field label={t('agenda.presenterName')}>
            <input value={presenterName} onInput={(e) => setPresenterName(e.currentTarget.value)} required maxLength={200}
              aria-invalid={invalid('presenter_name')} data-testid="agenda-presenter-name" />
          </Field>
        )}
        <Field label={t('agenda.summary')}>
          <textarea rows={3} value={summary} onInput={(e) => setSummary(e.currentTarget.value)} maxLength={5000}
            data-testid="agenda-summary" />
        </Field>
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="agenda-save">
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * The organiser's agenda: add items and sub-items, edit, move up/down (the full
 * order goes to the server), withdraw or restore. Times come from the server.
 */
export function AgendaEditor({ meeting, agenda, onChanged }) {
  const [people, setPeople] = useState([]);
  const [form, setForm] = useState(null); // {item?, parent?}
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  useEffect(() => {
    listUsers().then((list) => setPeople(list.filter((u) => !u.disabled && !u.roles.includes('site'))), setError);
  }, []);

  const run = async (action) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      await onChanged();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const move = (item, delta) => run(() => reorderAgenda(meeting.id, moveItem(agenda.items, item.id, delta)));
  const withdraw = (item, withdrawn) => run(() => updateAgendaItem(meeting.id, item.id, { withdrawn }));
  const saved = async () => {
    setForm(null);
    await onChanged();
  };

  const overrun = overrunMinutes(agenda.planned_end, meeting.ends_at);
  const live = agenda.items.some((i) => !i.withdrawn);
  return (
    <section class="card" aria-labelledby="agenda-editor-title" data-testid="agenda-editor">
      <div class="section-head">
        <h2 id="agenda-editor-title">{t('agenda.title')}</h2>
        <button type="button" class="btn btn-primary" data-testid="agenda-add" onClick={() => setForm({})}>
          {t('agenda.add')}
        </button>
      </div>
      <p class="muted">{t('agenda.startsAt', { time: formatTime(meeting.starts_at) })}</p>
      <ErrorAlert error={error} testId="agenda-error" />
      {agenda.items.length === 0 ? (
        <p class="empty" data-testid="agenda-empty">{t('agenda.empty')}</p>
      ) : (
        <ol class="agenda agenda-editing" data-testid="agenda-list">
          {agenda.items.map((item) => (
            <AgendaLine key={item.id} item={item}>
              <div class="agenda-actions">
                <button type="button" class="btn btn-small" title={t('agenda.moveUp')} aria-label={t('agenda.moveUp')}
                  disabled={busy || !canMove(agenda.items, item.id, -1)} onClick={() => move(item, -1)} data-testid="agenda-up">
                  ↑
                </button>
                <button type="button" class="btn btn-small" title={t('agenda.moveDown')} aria-label={t('agenda.moveDown')}
                  disabled={busy || !canMove(agenda.items, item.id, 1)} onClick={() => move(item, 1)} data-testid="agenda-down">
                  ↓
                </button>
                {!item.withdrawn && (
                  <button type="button" class="btn btn-small" onClick={() => setForm({ item })} data-testid="agenda-edit">
                    {t('common.edit')}
                  </button>
                )}
                {item.parent_id === null && !item.withdrawn && (
                  <button type="button" class="btn btn-small" onClick={() => setForm({ parent: item })} data-testid="agenda-add-sub">
                    {t('agenda.addSub')}
                  </button>
                )}
                <button type="button" class="btn btn-small" disabled={busy} onClick={() => withdraw(item, !item.withdrawn)}
                  data-testid={item.withdrawn ? 'agenda-restore' : 'agenda-withdraw'}>
                  {item.withdrawn ? t('agenda.restore') : t('agenda.withdraw')}
                </button>
              </div>
            </AgendaLine>
          ))}
        </ol>
      )}
      {live && (
        <p class="agenda-end" data-testid="agenda-planned-end">
          {t('agenda.plannedEnd')}: <strong>{formatTime(agenda.planned_end)}</strong>
          {' · '}
          {t('agenda.bookedEnd')}: {formatTime(meeting.ends_at)}
        </p>
      )}
      {overrun > 0 && (
        <p class="alert alert-warning" data-testid="agenda-overrun">{t('agenda.overrun', { count: overrun })}</p>
      )}
      {form && (
        <ItemForm meetingId={meeting.id} item={form.item} parent={form.parent} people={people}
          onSaved={saved} onClose={() => setForm(null)} />
      )}
    </section>
  );
}
