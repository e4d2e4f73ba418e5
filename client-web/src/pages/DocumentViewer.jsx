import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  addComment,
  addNote,
  deleteNote,
  documentDownloadUrl,
  documentFileUrl,
  getComments,
  getDocument,
  getMeeting,
  listNotes,
  updateNote,
} from '../api.js';
import { clampPage, documentRights, findInPages, notesOfPage, prefersFitWidth, stepZoom } from '../documents.js';
import { t } from '../i18n.js';
import { pageTexts } from '../pdf.js';
import { formatDateTime } from '../time.js';
import { ConfidentialityBadge } from '../components/DocumentBadges.jsx';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { Link } from '../components/Link.jsx';
import { Page } from '../components/Page.jsx';
import { PdfPage, PdfThumb, usePdf } from '../components/PdfPage.jsx';

function initialPage() {
  return clampPage(new URLSearchParams(location.search).get('page') || 1, 0);
}

function tabletLike() {
  return prefersFitWidth({
    width: globalThis.innerWidth || 1366,
    coarsePointer: globalThis.matchMedia?.('(pointer: coarse)').matches,
  });
}

/** My private notes on the current page: list, add, edit, delete. */
function NotesPanel({ documentId, page, onGo }) {
  const [notes, setNotes] = useState(null);
  const [text, setText] = useState('');
  const [editing, setEditing] = useState(null); // {id, text}
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const reload = () => listNotes(documentId).then((n) => (setNotes(n), setError(null)), setError);
  useEffect(() => {
    reload();
  }, [documentId]);

  const run = async (fn) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await reload();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const add = (e) => {
    e.preventDefault();
    if (!text.trim()) return;
    run(async () => {
      await addNote(documentId, page, text.trim());
      setText('');
    });
  };
  const save = (e) => {
    e.preventDefault();
    run(async () => {
      await updateNote(editing.id, editing.text.trim());
      setEditing(null);
    });
  };

  const here = notes ? notesOfPage(notes, page) : [];
  const otherPages = notes ? [...new Set(notes.filter((n) => n.page !== page).map((n) => n.page))].sort((a, b) => a - b) : [];
  return (
    <div class="side-panel" data-testid="notes-panel">
      <p class="muted small">{t('notes.private')}</p>
      <ErrorAlert error={error} testId="notes-error" />
      <h3>{t('notes.onPage', { page })}</h3>
      {notes === null ? (
        <p class="loading" role="status">{t('app.loading')}</p>
      ) : (
        <ul class="note-list" data-testid="note-list">
          {here.length === 0 && <li class="empty small">{t('notes.none')}</li>}
          {here.map((note) => (
            <li key={note.id} class="note" data-testid="note" data-note-id={note.id} data-page={note.page}>
              {editing?.id === note.id ? (
                <form onSubmit={save} class="form">
                  <textarea rows={3} value={editing.text} data-testid="note-edit-text" aria-label={t('notes.text')}
                    onInput={(e) => setEditing({ ...editing, text: e.currentTarget.value })} />
                  <div class="form-actions">
                    <button type="button" class="btn btn-small" onClick={() => setEditing(null)}>{t('common.cancel')}</button>
                    <button type="submit" class="btn btn-small btn-primary" disabled={busy || !editing.text.trim()} data-testid="note-save">{t('common.save')}</button>
                  </div>
                </form>
              ) : (
                <>
                  <p class="note-text" data-testid="note-text">{note.text}</p>
                  <div class="note-foot">
                    <span class="muted small">{formatDateTime(note.updated_at)}</span>
                    <span class="row-actions">
                      <button type="button" class="link-button" data-testid="note-edit" onClick={() => setEditing({ id: note.id, text: note.text })}>{t('common.edit')}</button>
                      <button type="button" class="link-button danger" data-testid="note-delete" disabled={busy}
                        onClick={() => run(() => deleteNote(note.id))}>{t('common.delete')}</button>
                    </span>
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <form class="form" onSubmit={add}>
        <label class="field">
          <span class="field-label">{t('notes.add', { page })}</span>
          <textarea rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} data-testid="note-text-input" maxLength={5000} />
        </label>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy || !text.trim()} data-testid="note-add">{t('notes.save')}</button>
        </div>
      </form>
      {otherPages.length > 0 && (
        <p class="small" data-testid="notes-other-pages">
          {t('notes.otherPages')}{' '}
          {otherPages.map((p) => (
            <button key={p} type="button" class="link-button page-chip" onClick={() => onGo(p)}>{p}</button>
          ))}
        </p>
      )}
    </div>
  );
}

/** The opinion round on this document: my comments (organisers: all), and a form while open. */
function CommentsPanel({ documentId, page, data, canComment, onChanged, onGo }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [sent, setSent] = useState(false);
  const round = data.round;
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSent(false);
    try {
      await addComment(documentId, page, text.trim());
      setText('');
      setSent(true);
      await onChanged();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return (
    <div class="side-panel" data-testid="comments-panel">
      <p class={`alert ${round.open ? 'alert-warning' : 'alert-success'}`} data-testid="round-status" data-open={round.open ? 'true' : 'false'}>
        {round.open ? t('opinion.openUntil', { time: formatDateTime(round.deadline) }) : t('opinion.closedAt', { time: formatDateTime(round.deadline) })}
      </p>
      <ErrorAlert error={error} testId="comment-error" />
      {sent && <p class="alert alert-success" role="status" data-testid="comment-sent">{t('opinion.sent')}</p>}
      {round.open && canComment && (
        <form class="form" onSubmit={submit}>
          <label class="field">
            <span class="field-label">{t('opinion.commentOn', { page })}</span>
            <textarea rows={4} value={text} maxLength={5000} onInput={(e) => setText(e.currentTarget.value)} data-testid="comment-text" />
          </label>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled={busy || !text.trim()} data-testid="comment-submit">{t('opinion.send')}</button>
          </div>
        </form>
      )}
      <h3>{t('opinion.comments', { count: data.comments.length })}</h3>
      <ul class="note-list" data-testid="comment-list">
        {data.comments.length === 0 && <li class="empty small">{t('opinion.none')}</li>}
        {data.comments.map((c) => (
          <li key={c.id} class="note" data-testid="comment" data-page={c.page}>
            <p class="note-text">{c.text}</p>
            <div class="note-foot">
              <span class="muted small">{c.mine ? t('opinion.me') : `${c.user_name} — ${c.unit_name}`} · {formatDateTime(c.created_at)}</span>
              <button type="button" class="link-button page-chip" onClick={() => onGo(c.page)}>{t('viewer.pageShort', { page: c.page })}</button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The document viewer (/documents/:id?page=N): PDF.js page view, page navigation, zoom and
 * fit-to-width (default on tablets), thumbnails, search in the text, my private notes per
 * page, and the opinion round's comments; a download button only when the server allows it.
 */
export function DocumentViewer({ params }) {
  const id = params.id;
  const [info, setInfo] = useState(null); // {document, versions}
  const [meeting, setMeeting] = useState(null);
  const [error, setError] = useState(null);
  const [page, setPage] = useState(initialPage);
  const [pageInput, setPageInput] = useState(String(initialPage()));
  const [fit, setFit] = useState(tabletLike);
  const [scale, setScale] = useState(1);
  const [shownScale, setShownScale] = useState(1);
  const [thumbs, setThumbs] = useState(() => !tabletLike());
  const [side, setSide] = useState('notes'); // notes | search | comments
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState(null);
  const [searching, setSearching] = useState(false);
  const [comments, setComments] = useState(null);
  const texts = useRef(null);

  useEffect(() => {
    getDocument(id).then(
      (data) => {
        setInfo(data);
        getMeeting(data.document.meeting_id).then(setMeeting, () => {});
      },
      setError,
    );
  }, [id]);
  const doc = info?.document;
  const reloadComments = () => getComments(id).then(setComments, () => setComments(null));
  useEffect(() => {
    if (doc) reloadComments();
  }, [doc?.id]);

  const pdf = usePdf(doc && !doc.withdrawn ? documentFileUrl(id, doc.version) : null);
  const pages = pdf.doc?.numPages || doc?.pages || 0;

  const go = (n) => {
    const next = clampPage(n, pages);
    setPage(next);
    setPageInput(String(next));
    const url = `${location.pathname}?page=${next}`;
    history.replaceState(null, '', url);
  };
  useEffect(() => {
    if (pdf.doc && page > pdf.doc.numPages) go(pdf.doc.numPages);
  }, [pdf.doc]);
  useEffect(() => {
    const onKey = (e) => {
      if (e.target.closest?.('input, textarea, select')) return;
      if (e.key === 'ArrowRight' || e.key === 'PageDown') go(page + 1);
      else if (e.key === 'ArrowLeft' || e.key === 'PageUp') go(page - 1);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [page, pages]);

  const zoom = (direction) => {
    setScale(stepZoom(fit ? shownScale : scale, direction));
    setFit(false);
  };
  const search = async (e) => {
    e.preventDefault();
    if (!pdf.doc || !query.trim()) return;
    setSide('search');
    setSearching(true);
    try {
      texts.current ??= await pageTexts(pdf.doc);
      setHits(findInPages(texts.current, query));
    } catch {
      setHits([]);
    }
    setSearching(false);
  };

  const rights = meeting ? documentRights(meeting) : { comment: false, oversee: false };
  const hasRound = Boolean(comments?.round);
  const sideTabs = ['notes', 'search', ...(hasRound ? ['comments'] : [])];
  const thumbPages = useMemo(() => Array.from({ length: pdf.doc?.numPages || 0 }, (_, i) => i + 1), [pdf.doc]);

  if (!doc) {
    return (
      <Page title={error ? t('viewer.notAvailable') : t('app.loading')}>
        {error ? (
          <>
            <ErrorAlert error={error} testId="page-error" />
            <p><Link href="/">{t('notFound.back')}</Link></p>
          </>
        ) : (
          <p class="loading" role="status">{t('app.loading')}</p>
        )}
      </Page>
    );
  }

  const actions = (
    <>
      <Link href={`/meetings/${doc.meeting_id}?tab=documents`} class="btn" data-testid="viewer-back">{t('viewer.backToMeeting')}</Link>
      {doc.can_download ? (
        <a href={documentDownloadUrl(id)} class="btn btn-primary" download data-testid="viewer-download">{t('documents.download')}</a>
      ) : (
        <span class="badge" data-testid="viewer-no-download">{t('documents.noDownload')}</span>
      )}
    </>
  );
  return (
    <Page title={doc.title} actions={actions}>
      <div class="meeting-head" data-testid="viewer-head" data-document-id={doc.id}>
        <ConfidentialityBadge level={doc.confidentiality} />
        <span class="badge">{t('documents.versionN', { version: doc.version })}</span>
        {meeting && <Link href={`/meetings/${meeting.id}`} class="muted">{meeting.title}</Link>}
        {doc.access_until && <span class="muted">{t('documents.accessUntil')}: {formatDateTime(doc.access_until)}</span>}
      </div>
      {doc.withdrawn && <p class="alert alert-error" data-testid="viewer-withdrawn">{t('documents.withdrawnNote')}</p>}
      {doc.confidentiality === 'secret' && <p class="alert alert-warning">{t('viewer.secretNote')}</p>}
      <ErrorAlert error={pdf.error && { message: t('viewer.loadError') }} testId="viewer-error" />

      <div class="viewer-toolbar" role="toolbar" aria-label={t('viewer.tools')} data-testid="viewer-toolbar">
        <button type="button" class="btn btn-small" onClick={() => setThumbs(!thumbs)} aria-pressed={thumbs ? 'true' : 'false'}
          data-testid="viewer-thumbs-toggle">{t('viewer.thumbnails')}</button>
        <span class="toolbar-group">
          <button type="button" class="btn btn-small" onClick={() => go(page - 1)} disabled={page <= 1} data-testid="viewer-prev"
            aria-label={t('viewer.prev')}>‹</button>
          <form class="page-form" onSubmit={(e) => (e.preventDefault(), go(pageInput))}>
            <label>
              <span class="visually-hidden">{t('viewer.page')}</span>
              <input type="number" min={1} max={pages || undefined} value={pageInput} inputMode="numeric"
                onInput={(e) => setPageInput(e.currentTarget.value)} onBlur={() => go(pageInput)} data-testid="viewer-page-input" />
            </label>
            <span class="muted" data-testid="viewer-page-count">/ {pages || '…'}</span>
          </form>
          <button type="button" class="btn btn-small" onClick={() => go(page + 1)} disabled={pages > 0 && page >= pages}
            data-testid="viewer-next" aria-label={t('viewer.next')}>›</button>
        </span>
        <span class="toolbar-group">
          <button type="button" class="btn btn-small" onClick={() => zoom(-1)} aria-label={t('viewer.zoomOut')} data-testid="viewer-zoom-out">−</button>
          <span class="zoom-value" data-testid="viewer-zoom">{Math.round((fit ? shownScale : scale) * 100)}%</span>
          <button type="button" class="btn btn-small" onClick={() => zoom(1)} aria-label={t('viewer.zoomIn')} data-testid="viewer-zoom-in">+</button>
          <button type="button" class="btn btn-small" aria-pressed={fit ? 'true' : 'false'} onClick={() => setFit(!fit)}
            data-testid="viewer-fit">{t('viewer.fitWidth')}</button>
        </span>
        <form class="toolbar-group viewer-search" role="search" onSubmit={search}>
          <label>
            <span class="visually-hidden">{t('viewer.searchLabel')}</span>
            <input type="search" value={query} placeholder={t('viewer.searchPlaceholder')} onInput={(e) => setQuery(e.currentTarget.value)}
              data-testid="viewer-search-input" />
          </label>
          <button type="submit" class="btn btn-small" disabled={!pdf.doc || !query.trim()} data-testid="viewer-search">{t('common.search')}</button>
        </form>
      </div>

      <div class={`viewer${thumbs ? ' with-thumbs' : ''}`}>
        {thumbs && (
          <nav class="thumbs" aria-label={t('viewer.thumbnails')} data-testid="viewer-thumbs">
            {thumbPages.map((n) => <PdfThumb key={n} doc={pdf.doc} page={n} current={n === page} onSelect={go} />)}
          </nav>
        )}
        <div class="viewer-main">
          {!pdf.doc && !pdf.error && !doc.withdrawn && <p class="loading" role="status">{t('viewer.loading')}</p>}
          {pdf.doc && (
            <PdfPage doc={pdf.doc} page={page} scale={scale} fitWidth={fit} onScale={setShownScale} testId="viewer-page" />
          )}
        </div>
        <aside class="viewer-side" aria-label={t('viewer.sidePanel')}>
          <div class="tabs small-tabs" role="tablist">
            {sideTabs.map((name) => (
              <button key={name} type="button" role="tab" class="tab" aria-selected={side === name ? 'true' : 'false'}
                data-testid={`side-${name}`} onClick={() => setSide(name)}>
                {t(`viewer.side.${name}`)}
              </button>
            ))}
          </div>
          {side === 'notes' && <NotesPanel documentId={id} page={page} onGo={go} />}
          {side === 'search' && (
            <div class="side-panel" data-testid="search-panel">
              {searching && <p class="loading" role="status">{t('viewer.searching')}</p>}
              {!searching && hits === null && <p class="muted small">{t('viewer.searchHint')}</p>}
              {!searching && hits && (
                <>
                  <p class="muted small" data-testid="viewer-hit-count">{t('viewer.hits', { count: hits.length })}</p>
                  <ul class="hit-list">
                    {hits.map((hit, i) => (
                      <li key={i}>
                        <button type="button" class="hit" data-testid="viewer-hit" data-page={hit.page} onClick={() => go(hit.page)}>
                          <span class="hit-page">{t('viewer.pageShort', { page: hit.page })}</span>
                          <span class="hit-snippet">{hit.snippet}</span>
                        </button>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          )}
          {side === 'comments' && hasRound && (
            <CommentsPanel documentId={id} page={page} data={comments} canComment={rights.comment} onChanged={reloadComments} onGo={go} />
          )}
        </aside>
      </div>
    </Page>
  );
}
