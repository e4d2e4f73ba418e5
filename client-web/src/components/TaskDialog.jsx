import { useEffect, useState } from 'preact/hooks';
import { createTask, listUnits, listUsers } from '../api.js';
import { t } from '../i18n.js';
import { taskBody } from '../minutes.js';
import { Dialog } from './Dialog.jsx';
import { ErrorAlert } from './ErrorAlert.jsx';
import { UnitSelect } from './UnitSelect.jsx';

/**
 * Giao việc: turn a conclusion into a follow-up task for one unit or one official,
 * with a due date. `draft` holds the first values (minutes.js taskDraft); `onDone(task)`.
 */
export function TaskDialog({ meeting, agendaItems = [], draft, onDone, onClose }) {
  const [form, setForm] = useState(draft);
  const [units, setUnits] = useState([]);
  const [people, setPeople] = useState([]);
  const [missing, setMissing] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    listUnits().then(setUnits, setError);
    listUsers().then((list) => setPeople(list.filter((u) => !u.disabled && !u.roles.includes('site'))), setError);
  }, []);
  const set = (changes) => setForm((f) => ({ ...f, ...changes }));

  const submit = async (event) => {
    event.preventDefault();
    const { body, missing: lack } = taskBody(form);
    setMissing(lack || null);
    if (!body) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await createTask(meeting.id, body));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('tasks.createTitle')} onClose={onClose} testId="task-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <label class="field">
          <span class="field-label">{t('tasks.title')}</span>
          <textarea rows={2} value={form.title} maxLength={500} required data-testid="task-title"
            onInput={(e) => set({ title: e.currentTarget.value })} />
        </label>
        <label class="field">
          <span class="field-label">{t('tasks.detail')}</span>
          <textarea rows={4} value={form.detail} maxLength={5000} data-testid="task-detail"
            onInput={(e) => set({ detail: e.currentTarget.value })} />
        </label>
        <div class="grid-2">
          <label class="field">
            <span class="field-label">{t('tasks.due')}</span>
            <input type="date" value={form.due_on} required data-testid="task-due" onInput={(e) => set({ due_on: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span class="field-label">{t('documents.agendaItem')}</span>
            <select value={form.agenda_item_id ?? ''} data-testid="task-item"
              onChange={(e) => set({ agenda_item_id: e.currentTarget.value ? Number(e.currentTarget.value) : null })}>
              <option value="">{t('documents.wholeMeeting')}</option>
              {agendaItems.filter((i) => !i.withdrawn).map((i) => <option key={i.id} value={i.id}>{i.number}. {i.title}</option>)}
            </select>
          </label>
        </div>
        <fieldset class="checks">
          <legend>{t('tasks.assignee')}</legend>
          <label class="check">
            <input type="radio" name="assignee" checked={form.assignee === 'unit'} data-testid="task-assignee-unit"
              onChange={() => set({ assignee: 'unit' })} />
            <span>{t('tasks.toUnit')}</span>
          </label>
          <label class="check">
            <input type="radio" name="assignee" checked={form.assignee === 'user'} data-testid="task-assignee-user"
              onChange={() => set({ assignee: 'user' })} />
            <span>{t('tasks.toPerson')}</span>
          </label>
        </fieldset>
        {form.assignee === 'unit' ? (
          <label class="field">
            <span class="field-label">{t('tasks.unit')}</span>
            <UnitSelect units={units.filter((u) => !u.disabled)} value={form.assignee_unit_id} emptyLabel={t('tasks.choose')}
              onChange={(id) => set({ assignee_unit_id: id })} data-testid="task-unit" />
          </label>
        ) : (
          <label class="field">
            <span class="field-label">{t('tasks.person')}</span>
            <select value={form.assignee_user_id ?? ''} data-testid="task-user"
              onChange={(e) => set({ assignee_user_id: e.currentTarget.value ? Number(e.currentTarget.value) : null })}>
              <option value="">{t('tasks.choose')}</option>
              {people.map((p) => (
                <option key={p.id} value={p.id}>{p.full_name} — {[p.title, p.unit_name].filter(Boolean).join(', ')}</option>
              ))}
            </select>
          </label>
        )}
        {missing && <p class="alert alert-error" role="alert" data-testid="task-missing">{t(missing)}</p>}
        <ErrorAlert error={error} testId="dialog-error" />
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="task-create-submit">{t('tasks.create')}</button>
        </div>
      </form>
    </Dialog>
  );
}
