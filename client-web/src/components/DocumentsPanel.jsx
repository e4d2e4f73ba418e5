import { useEffect, useRef, useState } from 'preact/hooks';
import {
  documentDownloadUrl,
  getReaders,
  listDocuments,
  packUrl,
  revokeDocument,
  uploadDocument,
  uploadVersion,
  withdrawDocument,
} from '../api.js';
import { ACCEPT, CONFIDENTIALITY, documentRights, formatSize, groupByAgenda, percent, titleFromFileName } from '../documents.js';
import { getLang, t } from '../i18n.js';
import { formatDateTime, vnToIso } from '../time.js';
import { ConfirmDialog } from './ConfirmDialog.jsx';
import { Dialog } from './Dialog.jsx';
import { ConfidentialityBadge, ReadBadge } from './DocumentBadges.jsx';
import { ErrorAlert, errorText } from './ErrorAlert.jsx';
import { Link } from './Link.jsx';

let nextKey = 1;

/** A progress bar with its percentage (XMLHttpRequest upload progress). */
function Progress({ value, testId = 'upload-progress' }) {
  return (
    <span class="progress-line">
      <progress max={100} value={value} data-testid={testId} data-value={value} />
      <span class="progress-value">{value}%</span>
    </span>
  );
}

/** One chosen file in the upload panel: its fields, then its progress and outcome. */
function UploadRow({ row, items, onChange, onRemove, disabled }) {
  const set = (changes) => onChange({ ...row, ...changes });
  return (
    <li class="upload-row" data-testid="upload-row" data-state={row.state} data-file={row.file.name}>
      <div class="upload-file">
        <strong>{row.file.name}</strong> <span class="muted">({formatSize(row.file.size, getLang())})</span>
      </div>
      <div class="upload-fields">
        <label class="field">
          <span class="field-label">{t('documents.title.field')}</span>
          <input value={row.title} required maxLength={300} disabled={disabled} data-testid="upload-title"
            onInput={(e) => set({ title: e.currentTarget.value })} />
        </label>
        <label class="field">
          <span class="field-label">{t('documents.agendaItem')}</span>
          <select value={row.itemId ?? ''} disabled={disabled} data-testid="upload-item"
            onChange={(e) => set({ itemId: e.currentTarget.value ? Number(e.currentTarget.value) : null })}>
            <option value="">{t('documents.wholeMeeting')}</option>
            {items.map((item) => <option key={item.id} value={item.id}>{item.number}. {item.title}</option>)}
          </select>
        </label>
        <label class="field">
          <span class="field-label">{t('documents.confidentiality')}</span>
          <select value={row.level} disabled={disabled} data-testid="upload-confidentiality"
            onChange={(e) => set({ level: e.currentTarget.value })}>
            {CONFIDENTIALITY.map((c) => <option key={c} value={c}>{t(`confidentiality.${c}`)}</option>)}
          </select>
        </label>
        {row.level === 'secret' && (
          <fieldset class="time-fields">
            <legend class="field-label">{t('documents.accessUntil')}</legend>
            <input type="date" value={row.untilDate} disabled={disabled} aria-label={t('meetingForm.startDate')} data-testid="upload-until-date"
              onInput={(e) => set({ untilDate: e.currentTarget.value })} />
            <input type="time" value={row.untilTime} disabled={disabled} aria-label={t('meetingForm.startTime')} data-testid="upload-until-time"
              onInput={(e) => set({ untilTime: e.currentTarget.value })} />
          </fieldset>
        )}
      </div>
      <div class="upload-state">
        {row.state === 'ready' && (
          <button type="button" class="link-button" onClick={onRemove} disabled={disabled} data-testid="upload-remove">{t('documents.removeFile')}</button>
        )}
        {(row.state === 'sending' || row.state === 'processing') && <Progress value={row.progress} />}
        {row.state === 'processing' && <span class="muted small">{t('documents.processing')}</span>}
        {row.state === 'done' && <span class="badge answer-attending" data-testid="upload-done">{t('documents.uploaded')}</span>}
        {row.state === 'error' && <span class="alert alert-error small" role="alert" data-testid="upload-error">{row.error}</span>}
      </div>
    </li>
  );
}

/** The organiser's upload panel: several files at once, each with a progress bar. */
function UploadPanel({ meeting, items, onUploaded }) {
  const [rows, setRows] = useState([]);
  const [busy, setBusy] = useState(false);
  const input = useRef(null);

  const choose = (event) => {
    const files = [...event.currentTarget.files];
    event.currentTarget.value = '';
    setRows((old) => [
      ...old.filter((r) => r.state !== 'done'),
      ...files.map((file) => ({
        key: nextKey++, file, title: titleFromFileName(file.name), itemId: null, level: 'normal',
        untilDate: '', untilTime: '', state: 'ready', progress: 0, error: null,
      })),
    ]);
  };
  const update = (key, changes) => setRows((old) => old.map((r) => (r.key === key ? { ...r, ...changes } : r)));

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    const todo = rows.filter((r) => r.state === 'ready' || r.state === 'error');
    for (const row of todo) {
      // one after another: the server converts Office files one at a time anyway
      update(row.key, { state: 'sending', progress: 0, error: null });
      try {
        await uploadDocument(meeting.id, {
          file: row.file,
          title: row.title.trim() || titleFromFileName(row.file.name),
          agenda_item_id: row.itemId,
          confidentiality: row.level,
          access_until: row.level === 'secret' ? vnToIso(row.untilDate, row.untilTime) : null,
        }, {
          onProgress: (loaded, total) => {
            const value = percent(loaded, total);
            update(row.key, { progress: value, state: value >= 100 ? 'processing' : 'sending' });
          },
        });
        update(row.key, { state: 'done', progress: 100 });
        onUploaded();
      } catch (err) {
        update(row.key, { state: 'error', error: errorText(err) });
      }
    }
    setBusy(false);
  };

  const pending = rows.filter((r) => r.state === 'ready' || r.state === 'error').length;
  return (
    <section class="card upload-panel" aria-labelledby="upload-title" data-testid="upload-panel">
      <h2 id="upload-title">{t('documents.uploadTitle')}</h2>
      <p class="muted small">{t('documents.uploadHint')}</p>
      <form class="form" onSubmit={submit}>
        <label class="field">
          <span class="field-label">{t('documents.chooseFiles')}</span>
          <input type="file" ref={input} multiple accept={ACCEPT} onChange={choose} disabled={busy} data-testid="upload-files" />
        </label>
        {rows.length > 0 && (
          <ul class="upload-list" data-testid="upload-list">
            {rows.map((row) => (
              <UploadRow key={row.key} row={row} items={items} disabled={busy || row.state === 'done'}
                onChange={(next) => update(row.key, next)} onRemove={() => setRows(rows.filter((r) => r.key !== row.key))} />
            ))}
          </ul>
        )}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy || pending === 0} data-testid="upload-submit">
            {busy ? t('documents.uploading') : pending ? t('documents.uploadN', { count: pending }) : t('documents.upload')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** Who has opened a document (read receipts), and who has not. */
function ReadersDialog({ doc, onClose }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    getReaders(doc.id).then(setData, setError);
  }, [doc.id]);
  return (
    <Dialog title={t('documents.readersTitle', { title: doc.title })} onClose={onClose} testId="readers-dialog">
      <ErrorAlert error={error} testId="dialog-error" />
      {!data && !error && <p class="loading" role="status">{t('app.loading')}</p>}
      {data && (
        <>
          <h3>{t('documents.readCount', { count: data.readers.length })}</h3>
          <div class="table-wrap">
            <table class="table" data-testid="readers-table">
              <thead>
                <tr>
                  <th scope="col">{t('attendance.person')}</th>
                  <th scope="col">{t('users.unit')}</th>
                  <th scope="col">{t('documents.firstOpened')}</th>
                  <th scope="col">{t('documents.lastOpened')}</th>
                  <th scope="col">{t('documents.version')}</th>
                </tr>
              </thead>
              <tbody>
                {data.readers.length === 0 && <tr><td colSpan={5} class="empty">{t('documents.nobodyRead')}</td></tr>}
                {data.readers.map((r) => (
                  <tr key={r.user_id} data-testid="reader">
                    <th scope="row" class="wrap">{r.full_name}</th>
                    <td class="wrap">{r.unit_name}</td>
                    <td>{r.first_opened_at ? formatDateTime(r.first_opened_at) : t('common.none')}</td>
                    <td>{r.last_opened_at ? formatDateTime(r.last_opened_at) : t('common.none')}</td>
                    <td>{r.version ?? t('common.none')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>{t('documents.notReadCount', { count: data.not_read.length })}</h3>
          <p data-testid="not-read">{data.not_read.length ? data.not_read.map((r) => `${r.full_name} (${r.unit_name})`).join(', ') : t('common.none')}</p>
        </>
      )}
      <div class="form-actions">
        <button type="button" class="btn" onClick={onClose}>{t('common.close')}</button>
      </div>
    </Dialog>
  );
}

/** One document in the list, with the organiser's actions. */
function DocumentRow({ doc, manage, oversee, onChanged, onReaders, onConfirm }) {
  const file = useRef(null);
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);
  const newVersion = async (event) => {
    const chosen = event.currentTarget.files[0];
    event.currentTarget.value = '';
    if (!chosen) return;
    setError(null);
    setProgress(0);
    try {
      await uploadVersion(doc.id, chosen, { onProgress: (l, total) => setProgress(percent(l, total)) });
      onChanged();
    } catch (err) {
      setError(err);
    }
    setProgress(null);
  };
  return (
    <li class={`doc-row${doc.withdrawn ? ' is-withdrawn' : ''}`} data-testid="document-row" data-document-id={doc.id}
      data-confidentiality={doc.confidentiality} data-withdrawn={doc.withdrawn ? 'true' : 'false'}>
      <div class="doc-main">
        {doc.withdrawn ? (
          <span class="doc-title">{doc.title}</span>
        ) : (
          <Link href={`/documents/${doc.id}`} class="doc-title" data-testid="document-open">{doc.title}</Link>
        )}
        <div class="doc-meta">
          <ConfidentialityBadge level={doc.confidentiality} />
          <span class="badge" data-testid="doc-version">{t('documents.versionN', { version: doc.version })}</span>
          {doc.withdrawn ? <span class="badge status-cancelled">{t('documents.withdrawn')}</span> : <ReadBadge doc={doc} />}
          {doc.revoked && <span class="badge status-cancelled" data-testid="doc-revoked">{t('documents.revoked')}</span>}
          <span class="muted small">{t('documents.pagesN', { count: doc.pages })} · {formatSize(doc.size, getLang())}</span>
          {doc.uploaded_at && <span class="muted small">{formatDateTime(doc.uploaded_at)}</span>}
          {doc.access_until && <span class="muted small">{t('documents.accessUntil')}: {formatDateTime(doc.access_until)}</span>}
        </div>
        {progress !== null && <Progress value={progress} testId="version-progress" />}
        <ErrorAlert error={error} testId="document-error" />
      </div>
      <div class="doc-actions row-actions">
        {!doc.withdrawn && doc.can_download && (
          <a class="btn btn-small" href={documentDownloadUrl(doc.id)} download data-testid="document-download">{t('documents.download')}</a>
        )}
        {oversee && (
          <button type="button" class="btn btn-small" onClick={onReaders} data-testid="document-readers">{t('documents.readers')}</button>
        )}
        {manage && !doc.withdrawn && (
          <>
            <input type="file" ref={file} accept={ACCEPT} class="visually-hidden" tabIndex={-1} onChange={newVersion}
              data-testid="version-file" aria-label={t('documents.newVersion')} />
            <button type="button" class="btn btn-small" disabled={progress !== null} onClick={() => file.current.click()}
              data-testid="document-new-version">{t('documents.newVersion')}</button>
            {doc.confidentiality === 'secret' && !doc.revoked && (
              <button type="button" class="btn btn-small btn-danger" data-testid="document-revoke"
                onClick={() => onConfirm({ title: t('documents.revoke'), text: t('documents.revokeText', { title: doc.title }), run: () => revokeDocument(doc.id) })}>
                {t('documents.revoke')}
              </button>
            )}
            <button type="button" class="btn btn-small" data-testid="document-withdraw"
              onClick={() => onConfirm({ title: t('documents.withdraw'), text: t('documents.withdrawText', { title: doc.title }), run: () => withdrawDocument(doc.id) })}>
              {t('documents.withdraw')}
            </button>
          </>
        )}
      </div>
    </li>
  );
}

/** The document list grouped by agenda item (read-only for everyone but the organisers). */
export function DocumentList({ documents, items, manage = false, oversee = false, onChanged, highlightItemId = null }) {
  const [readers, setReaders] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const groups = groupByAgenda(documents, items, { withWithdrawn: manage });
  return (
    <>
      {groups.length === 0 && <p class="empty" data-testid="documents-empty">{t('documents.empty')}</p>}
      {groups.map((group) => (
        <div key={group.item?.id ?? 'meeting'} class={`doc-group${group.item && group.item.id === highlightItemId ? ' is-current' : ''}`}
          data-testid="document-group" data-item-id={group.item?.id ?? ''}>
          <h3 class="doc-group-title">
            {group.item ? `${group.item.number}. ${group.item.title}` : t('documents.wholeMeeting')}
          </h3>
          <ul class="doc-list">
            {group.documents.map((doc) => (
              <DocumentRow key={doc.id} doc={doc} manage={manage} oversee={oversee} onChanged={onChanged}
                onReaders={() => setReaders(doc)} onConfirm={setConfirm} />
            ))}
          </ul>
        </div>
      ))}
      {readers && <ReadersDialog doc={readers} onClose={() => setReaders(null)} />}
      {confirm && (
        <ConfirmDialog title={confirm.title} text={confirm.text} confirmLabel={confirm.title} danger testId="document-confirm"
          onConfirm={async () => {
            await confirm.run();
            setConfirm(null);
            onChanged();
          }}
          onClose={() => setConfirm(null)} />
      )}
    </>
  );
}

/** The meeting page's "Tài liệu" tab: the agenda pack, the list, and (organisers) uploads. */
export function DocumentsPanel({ meeting, agenda }) {
  const [documents, setDocuments] = useState(null);
  const [error, setError] = useState(null);
  const rights = documentRights(meeting);
  const items = (agenda?.items || []).filter((i) => !i.withdrawn);
  const reload = () => listDocuments(meeting.id).then((d) => (setDocuments(d), setError(null)), setError);
  useEffect(() => {
    reload();
  }, [meeting.id]);

  const live = (documents || []).filter((d) => !d.withdrawn);
  return (
    <div role="tabpanel" data-testid="documents-panel">
      <section class="card" aria-labelledby="documents-title">
        <div class="section-head">
          <h2 id="documents-title">{t('documents.title')}</h2>
          <div class="row-actions">
            <button type="button" class="btn" onClick={reload} data-testid="documents-refresh">{t('common.refresh')}</button>
            {live.length > 0 && (
              <a class="btn btn-primary" href={packUrl(meeting.id)} download data-testid="documents-pack">{t('documents.pack')}</a>
            )}
          </div>
        </div>
        <ErrorAlert error={error} testId="documents-error" />
        {documents === null ? (
          !error && <p class="loading" role="status">{t('app.loading')}</p>
        ) : (
          <DocumentList documents={documents} items={items} manage={rights.manage} oversee={rights.oversee} onChanged={reload} />
        )}
      </section>
      {rights.manage && <UploadPanel meeting={meeting} items={items} onUploaded={reload} />}
    </div>
  );
}
