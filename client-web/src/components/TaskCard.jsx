import { useRef, useState } from 'preact/hooks';
import { taskResultUrl, updateTask, uploadTaskResult } from '../api.js';
import { ACCEPT, percent } from '../documents.js';
import { t } from '../i18n.js';
import { TASK_STATUSES } from '../minutes.js';
import { formatDateTime, keyToDate } from '../time.js';
import { ErrorAlert } from './ErrorAlert.jsx';
import { Link } from './Link.jsx';

/** The server keeps (and sends) the PDF of an Office result: "Báo cáo.docx" downloads as "Báo cáo.pdf". */
const pdfName = (name) => name.replace(/\.[^./\\]{1,5}$/, '') + '.pdf';

/** "Chưa thực hiện" / "Đang thực hiện" / "Hoàn thành", and "Quá hạn" when late. */
export function TaskBadges({ task }) {
  return (
    <>
      <span class={`badge task-${task.status}`} data-testid="task-status-badge">{t(`taskStatus.${task.status}`)}</span>
      {task.overdue && <span class="badge task-overdue" data-testid="task-overdue">{t('tasks.overdue')}</span>}
    </>
  );
}

/**
 * One follow-up task: what, for whom, by when; its assignee (or the meeting's
 * organisers and chair) changes the status, writes the result and attaches a file.
 */
export function TaskCard({ task, meetingTitle, onChanged }) {
  const [note, setNote] = useState(task.result_note || '');
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const file = useRef(null);

  const run = async (fn) => {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onChanged(await fn());
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const attach = async (event) => {
    const chosen = event.currentTarget.files[0];
    event.currentTarget.value = '';
    if (!chosen) return;
    setProgress(0);
    await run(() => uploadTaskResult(task.id, chosen, { onProgress: (l, total) => setProgress(percent(l, total)) }));
    setProgress(null);
  };

  return (
    <li class={`task-card${task.overdue ? ' is-overdue' : ''}`} data-testid="task-row" data-task-id={task.id}
      data-status={task.status} data-overdue={task.overdue ? 'true' : 'false'}>
      <div class="task-head">
        <strong class="task-title" data-testid="task-row-title">{task.title}</strong>
        <span class="task-badges"><TaskBadges task={task} /></span>
      </div>
      <div class="task-meta">
        <span><span class="meta-label">{t('tasks.assignedTo')}:</span> <span data-testid="task-assignee">{task.assignee_name}</span></span>
        <span><span class="meta-label">{t('tasks.due')}:</span> <span data-testid="task-due-on">{keyToDate(task.due_on)}</span></span>
        {meetingTitle !== undefined && (
          <span><span class="meta-label">{t('tasks.meeting')}:</span>{' '}
            {meetingTitle ? <Link href={`/meetings/${task.meeting_id}`}>{meetingTitle}</Link> : t('tasks.meetingN', { id: task.meeting_id })}
          </span>
        )}
        <span class="muted small">{t('tasks.updated')}: {formatDateTime(task.updated_at)}</span>
      </div>
      {task.detail && <p class="task-detail">{task.detail}</p>}
      <div class="task-work">
        <label class="field">
          <span class="field-label">{t('common.status')}</span>
          <select value={task.status} disabled={busy} data-testid="task-status"
            onChange={(e) => {
              const status = e.currentTarget.value;
              run(() => updateTask(task.id, { status }));
            }}>
            {TASK_STATUSES.map((s) => <option key={s} value={s}>{t(`taskStatus.${s}`)}</option>)}
          </select>
        </label>
        <form class="task-note" onSubmit={async (e) => {
          e.preventDefault();
          if (await run(() => updateTask(task.id, { result_note: note.trim() }))) setSaved(true);
        }}>
          <label class="field">
            <span class="field-label">{t('tasks.resultNote')}</span>
            <textarea rows={2} value={note} maxLength={5000} data-testid="task-note"
              onInput={(e) => (setNote(e.currentTarget.value), setSaved(false))} />
          </label>
          <div class="row-actions">
            <button type="submit" class="btn btn-small" disabled={busy || note.trim() === (task.result_note || '')} data-testid="task-note-save">
              {t('tasks.saveNote')}
            </button>
            {saved && <span class="muted small" role="status" data-testid="task-note-saved">{t('room.saved')}</span>}
          </div>
        </form>
        <div class="task-result">
          <span class="field-label">{t('tasks.resultFile')}</span>
          {task.result_name ? (
            <a href={taskResultUrl(task.id)} download={pdfName(task.result_name)} data-testid="task-result-download">{task.result_name}</a>
          ) : (
            <span class="muted small">{t('tasks.noResultFile')}</span>
          )}
          <input type="file" ref={file} accept={ACCEPT} class="visually-hidden" tabIndex={-1} onChange={attach}
            data-testid="task-result-file" aria-label={t('tasks.attachResult')} />
          <button type="button" class="btn btn-small" disabled={busy || progress !== null} onClick={() => file.current.click()}
            data-testid="task-result-attach">
            {task.result_name ? t('tasks.replaceResult') : t('tasks.attachResult')}
          </button>
          {progress !== null && (
            <span class="progress-line">
              <progress max={100} value={progress} data-testid="task-result-progress" data-value={progress} />
              <span class="progress-value">{progress}%</span>
            </span>
          )}
        </div>
      </div>
      <ErrorAlert error={error} testId="task-error" />
    </li>
  );
}
