import { useEffect, useRef, useState } from 'preact/hooks';
import {
  getMinutes,
  listMinutes,
  listUnits,
  minutesFileUrl,
  minutesPreviewUrl,
  newMinutesVersion,
  saveMinutes,
  signMinutes,
} from '../api.js';
import { t } from '../i18n.js';
import { onLive } from '../live.js';
import { agendaLinks, minutesRights, sameContent, setIn, signedFileName, taskDraft } from '../minutes.js';
import { formatDateTime } from '../time.js';
import { ConfirmDialog } from './ConfirmDialog.jsx';
import { Dialog } from './Dialog.jsx';
import { ErrorAlert, errorText } from './ErrorAlert.jsx';
import { MinutesForm, NoticeForm } from './MinutesEditor.jsx';
import { PdfPreview } from './PdfPreview.jsx';
import { TaskDialog } from './TaskDialog.jsx';

const AUTOSAVE_MS = 2500;

/** An error with its server code (tests and people both read it). */
function CodedError({ error, testId }) {
  if (!error) return null;
  return (
    <div class="alert alert-error" role="alert" data-testid={testId} data-code={error.code}>
      {errorText(error)}
    </div>
  );
}

/** "Dự thảo" / "Đã ký" with the version. */
export function MinutesStatus({ record }) {
  return (
    <span class="minutes-status-line">
      <span class={`badge minutes-${record.status}`} data-testid="minutes-status" data-status={record.status}>
        {t(`minutesStatus.${record.status}`)}
      </span>
      <span class="badge" data-testid="minutes-version">{t('minutes.versionN', { version: record.version })}</span>
    </span>
  );
}

/** The chair types the certificate's password; refusals (not the chair, wrong password, signed) stay in the dialog. */
function SignDialog({ kind, onSign, onClose }) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    if (!password) return;
    setBusy(true);
    setError(null);
    try {
      await onSign(password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title={t(`sign.title.${kind}`)} onClose={onClose} testId="sign-dialog">
      <form class="form" onSubmit={submit}>
        <p>{t('sign.text')}</p>
        <label class="field">
          <span class="field-label">{t('sign.password')}</span>
          <input type="password" value={password} autoComplete="off" required autofocus data-testid="sign-password"
            onInput={(e) => setPassword(e.currentTarget.value)} />
          <span class="field-hint">{t('sign.passwordHint')}</span>
        </label>
        <CodedError error={error} testId="sign-error" />
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" class="btn btn-primary" disabled={busy || !password} data-testid="sign-submit">
            {busy ? t('sign.signing') : t('sign.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Every version of this kind (runners see drafts too), with the signed ones' downloads. */
function Versions({ records }) {
  if (!records || records.length === 0) return null;
  return (
    <section class="card" aria-labelledby="versions-title">
      <h3 id="versions-title">{t('minutes.versions')}</h3>
      <div class="table-wrap">
        <table class="table" data-testid="minutes-versions">
          <thead>
            <tr>
              <th scope="col">{t('documents.version')}</th>
              <th scope="col">{t('common.status')}</th>
              <th scope="col">{t('minutes.signer')}</th>
              <th scope="col">{t('minutes.signedAt')}</th>
              <th scope="col">{t('documents.download')}</th>
            </tr>
          </thead>
          <tbody>
            {[...records].sort((a, b) => b.version - a.version).map((r) => (
              <tr key={r.id} data-testid="minutes-version-row" data-version={r.version} data-status={r.status}>
                <th scope="row">{r.version}</th>
                <td><span class={`badge minutes-${r.status}`}>{t(`minutesStatus.${r.status}`)}</span></td>
                <td>{r.signed_by_name || t('common.none')}</td>
                <td>{r.signed_at ? formatDateTime(r.signed_at) : t('common.none')}</td>
                <td>
                  {r.status === 'signed' ? (
                    <a href={minutesFileUrl(r.id)} download={signedFileName(r)} data-testid="minutes-version-download">{signedFileName(r)}</a>
                  ) : (
                    t('common.none')
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * The minutes or the conclusion notice of an ended meeting, for its organisers (edit,
 * save — also on their own after a pause —, preview, new version) and its chair
 * (read, preview, sign with the certificate's password).
 */
export function MinutesPanel({ meeting, agenda, kind }) {
  const rights = minutesRights(meeting);
  const [record, setRecord] = useState(null);
  const [content, setContent] = useState(null);
  const [saved, setSaved] = useState(null); // the content the server has
  const [saveState, setSaveState] = useState('saved'); // saved | dirty | saving | error
  const [saveError, setSaveError] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [records, setRecords] = useState(null);
  const [preview, setPreview] = useState(null); // url shown
  const [dialog, setDialog] = useState(null); // sign | newVersion
  const [task, setTask] = useState(null); // the task form's first values
  const [units, setUnits] = useState([]);
  const [notice, setNotice] = useState(null);
  const timer = useRef(null);
  const pending = useRef(false); // an autosave is scheduled
  const latest = useRef(null);
  latest.current = content;

  const loadVersions = () => listMinutes(meeting.id).then((list) => setRecords(list.filter((r) => r.kind === kind)), () => {});
  const take = (r) => {
    setRecord(r);
    setContent(r.content);
    setSaved(r.content);
    setSaveState('saved');
    setSaveError(null);
  };
  useEffect(() => {
    getMinutes(meeting.id, kind).then(take, setLoadError);
    loadVersions();
    if (rights.assign) listUnits().then(setUnits, () => {});
    // signed elsewhere (the chair's tablet) while open here: show the signed version
    const offLive = onLive('notification', (note) => {
      if (note?.meeting_id !== meeting.id || note.kind !== `${kind}.signed` || pending.current) return;
      getMinutes(meeting.id, kind).then(take, () => {});
      loadVersions();
    });
    return () => {
      offLive();
      // leaving the tab: what was typed is still saved
      clearTimeout(timer.current);
      if (pending.current) saveMinutes(meeting.id, kind, latest.current).catch(() => {});
    };
  }, [meeting.id, kind]);

  const signed = record?.status === 'signed';
  const editable = rights.edit && record && !signed;

  /** Send the form's content; true when the server has it. */
  const save = async () => {
    clearTimeout(timer.current);
    pending.current = false;
    const sending = latest.current;
    setSaveState('saving');
    try {
      const r = await saveMinutes(meeting.id, kind, sending);
      setRecord(r);
      setSaved(sending);
      setSaveError(null);
      setSaveState(sameContent(latest.current, sending) ? 'saved' : 'dirty');
      return true;
    } catch (err) {
      setSaveError(err);
      setSaveState('error');
      return false;
    }
  };
  const change = (fn) => {
    setContent((c) => {
      const next = fn(c);
      latest.current = next;
      return next;
    });
    setSaveState('dirty');
    setNotice(null);
    clearTimeout(timer.current);
    pending.current = true;
    timer.current = setTimeout(save, AUTOSAVE_MS);
  };
  const set = (path, value) => change((c) => setIn(c, path, value));

  const showPreview = async () => {
    if (editable && !sameContent(latest.current, saved) && !(await save())) return;
    setPreview(minutesPreviewUrl(meeting.id, kind, `${Date.now()}`));
  };
  const assign = (index, assignment) => {
    const items = content.items || [];
    const links = agendaLinks(items, agenda?.items || []);
    setTask(taskDraft({ item: items[index], assignment, agendaItemId: links[index], units }));
  };

  if (loadError) {
    return (
      <section class="card" role="tabpanel">
        <h2>{t(`minutesKind.${kind}`)}</h2>
        <CodedError error={loadError} testId="minutes-load-error" />
      </section>
    );
  }
  if (!record || !content) return <p class="loading" role="status">{t('app.loading')}</p>;

  const Form = kind === 'minutes' ? MinutesForm : NoticeForm;
  return (
    <div class="minutes-panel" role="tabpanel" data-testid="minutes-panel" data-kind={kind} data-record-id={record.id}>
      <section class="card">
        <div class="section-head">
          <h2>{t(`minutesKind.${kind}`)}</h2>
          <MinutesStatus record={record} />
        </div>
        {signed ? (
          <div class="alert alert-success minutes-signed" data-testid="minutes-signed">
            <p>
              <strong>{t('minutes.signedBy')}</strong> <span data-testid="minutes-signer">{record.signed_by_name}</span>
              {' · '}<span data-testid="minutes-signed-at">{formatDateTime(record.signed_at)}</span>
            </p>
            <p class="small">{t('minutes.signedFinal')}</p>
            <div class="row-actions">
              <a class="btn btn-primary" href={minutesFileUrl(record.id)} download={signedFileName(record)} data-testid="minutes-download">
                {t('minutes.download')}
              </a>
              {rights.edit && (
                <button type="button" class="btn" data-testid="minutes-new-version" onClick={() => setDialog('newVersion')}>
                  {t('minutes.newVersion')}
                </button>
              )}
            </div>
          </div>
        ) : (
          <p class="muted small">
            {rights.edit ? t('minutes.draftHint') : t('minutes.chairHint')}
          </p>
        )}
        <div class="minutes-toolbar">
          {editable && (
            <>
              <button type="button" class="btn btn-primary" data-testid="minutes-save" disabled={saveState === 'saving'} onClick={save}>
                {saveState === 'saving' ? t('common.saving') : t('common.save')}
              </button>
              <span class={`autosave autosave-${saveState}`} role="status" data-testid="minutes-save-status" data-status={saveState}>
                {t(`room.autosave.${saveState}`)}
                {saveState === 'saved' && ` · ${formatDateTime(record.updated_at)}`}
              </span>
            </>
          )}
          <button type="button" class="btn" data-testid="minutes-preview-button"
            onClick={() => (signed ? setPreview(minutesFileUrl(record.id)) : showPreview())}>
            {signed ? t('minutes.viewSigned') : t('minutes.preview')}
          </button>
          {preview && (
            <button type="button" class="btn btn-ghost" data-testid="minutes-preview-close" onClick={() => setPreview(null)}>
              {t('minutes.closePreview')}
            </button>
          )}
          {rights.sign && !signed && (
            <button type="button" class="btn btn-primary" data-testid="minutes-sign" onClick={() => setDialog('sign')}>
              {t('sign.button')}
            </button>
          )}
        </div>
        <CodedError error={saveError} testId="minutes-save-error" />
        {notice && <p class="alert alert-success" role="status" data-testid="minutes-notice">{notice}</p>}
      </section>

      {preview && (
        <section class="card minutes-preview-card" aria-label={t('minutes.preview')}>
          <PdfPreview key={preview} url={preview} title={t(`minutesKind.${kind}`)} testId="minutes-preview" />
        </section>
      )}

      <section class="card">
        <Form content={content} set={set} change={change} readOnly={!editable} onAssign={rights.assign ? assign : null} />
        {editable && (
          <div class="form-actions">
            <button type="button" class="btn btn-primary" data-testid="minutes-save-bottom" disabled={saveState === 'saving'} onClick={save}>
              {t('common.save')}
            </button>
          </div>
        )}
      </section>

      <Versions records={records} />

      {dialog === 'sign' && (
        <SignDialog kind={kind} onClose={() => setDialog(null)}
          onSign={async (password) => {
            const r = await signMinutes(meeting.id, kind, password);
            setDialog(null);
            take(r);
            setPreview(null);
            setNotice(t('sign.done'));
            loadVersions();
          }} />
      )}
      {dialog === 'newVersion' && (
        <ConfirmDialog title={t('minutes.newVersion')} text={t('minutes.newVersionText')} confirmLabel={t('minutes.newVersion')}
          testId="new-version-dialog" onClose={() => setDialog(null)}
          onConfirm={async () => {
            const r = await newMinutesVersion(meeting.id, kind);
            setDialog(null);
            take(r);
            setPreview(null);
            setNotice(t('minutes.newVersionDone', { version: r.version }));
            loadVersions();
          }} />
      )}
      {task && (
        <TaskDialog meeting={meeting} agendaItems={agenda?.items || []} draft={task} onClose={() => setTask(null)}
          onDone={(created) => {
            setTask(null);
            setNotice(t('tasks.created', { title: created.title }));
          }} />
      )}
    </div>
  );
}
