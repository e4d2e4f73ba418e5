// Pieces of the live meeting room shared by the officials' room (/meetings/:id/room),
// the chair console and the commune kiosk (/kiosk/:id). State comes from
// meetingRoom.js; every action is a socket.io command whose refusal is shown.

import { useEffect, useRef, useState } from 'preact/hooks';
import { documentFileUrl, listDocuments } from '../api.js';
import { currentFirst } from '../documents.js';
import { t } from '../i18n.js';
import {
  createMeetingRoom,
  dropInQueue,
  formatClock,
  itemSecondsUsed,
  moveInQueue,
  myQueuePosition,
  secondsLeft,
  splitQueue,
  voteResults,
} from '../meetingRoom.js';
import { formatTime } from '../time.js';
import { ConfidentialityBadge } from './DocumentBadges.jsx';
import { PdfPage, usePdf, useViewportHeight } from './PdfPage.jsx';

/** Open the room while mounted. @returns {[state, room]} */
export function useMeetingRoom(meetingId) {
  const [room, setRoom] = useState(null);
  const [state, setState] = useState(null);
  useEffect(() => {
    const opened = createMeetingRoom(meetingId);
    setRoom(opened);
    setState(opened.state);
    const off = opened.subscribe(setState);
    return () => {
      off();
      opened.close();
    };
  }, [meetingId]);
  return [state, room];
}

/** The time now, every second (clocks, countdowns). */
export function useNow(interval = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), interval);
    return () => clearInterval(timer);
  }, [interval]);
  return now;
}

/** The meeting's documents (HTTP), reloaded when asked. */
export function useMeetingDocuments(meetingId) {
  const [documents, setDocuments] = useState([]);
  const reload = () => listDocuments(meetingId).then((d) => setDocuments(d.filter((x) => !x.withdrawn)), () => setDocuments([]));
  useEffect(() => {
    reload();
  }, [meetingId]);
  return [documents, reload];
}

/**
 * Run a room command: busy while it runs, its refusal kept for display.
 * @returns {[(fn: () => Promise<any>) => Promise<boolean>, boolean, any, () => void]}
 */
export function useCommand() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (fn) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return [run, busy, error, () => setError(null)];
}

/** A command's refusal (the server's message, already in the user's language). */
export function RoomErrorAlert({ error, testId = 'room-error' }) {
  if (!error) return null;
  const text = error.message || t(error.code === 'timeout' ? 'room.timeout' : error.code === 'not_connected' ? 'room.offline' : 'room.failed');
  return <p class="alert alert-error small" role="alert" data-testid={testId} data-code={error.code}>{text}</p>;
}

/** Connected / reconnecting / refused. */
export function ConnectionBadge({ state, big = false }) {
  const status = state?.connection || 'connecting';
  return (
    <span class={`badge conn conn-${status}${big ? ' conn-big' : ''}`} data-testid="room-connection" data-status={status} role="status">
      {t(`room.connection.${status}`)}
    </span>
  );
}

/** Quorum: present members / total, connected communes, reached or not. */
export function QuorumChip({ quorum, big = false }) {
  if (!quorum) return null;
  return (
    <span class={`quorum ${quorum.reached ? 'is-reached' : 'is-missing'}${big ? ' quorum-big' : ''}`} data-testid="room-quorum"
      data-reached={quorum.reached ? 'true' : 'false'}>
      <strong>{quorum.reached ? t('room.quorumReached') : t('room.quorumMissing')}</strong>{' '}
      <span>{t('room.quorumMembers', { present: quorum.members_present, total: quorum.members_total })}</span>
      {quorum.sites_total > 0 && <span> · {t('room.quorumSites', { connected: quorum.sites_connected, total: quorum.sites_total })}</span>}
    </span>
  );
}

/** The latest announcement as a banner, until dismissed (a new one shows again). */
export function AnnouncementBanner({ announcements, big = false }) {
  const latest = announcements?.[0];
  const [dismissed, setDismissed] = useState(null);
  if (!latest || dismissed === latest.id) return null;
  return (
    <div class={`announcement${big ? ' announcement-big' : ''}`} role="alert" data-testid="room-announcement">
      <span class="announcement-label">{t('room.announcement')} · {formatTime(latest.at)}</span>
      <span class="announcement-text" data-testid="room-announcement-text">{latest.text}</span>
      <button type="button" class="btn btn-small" onClick={() => setDismissed(latest.id)} aria-label={t('common.close')}>×</button>
    </div>
  );
}

/** The current agenda item: number, title, presenter, clock (used vs planned). */
export function CurrentItem({ state, now, big = false }) {
  const item = state.agenda.find((i) => i.id === state.stage.current_item_id);
  if (!item) return <p class={`current-item muted${big ? ' current-item-big' : ''}`} data-testid="room-current-item" data-item-id="">{t('room.noCurrentItem')}</p>;
  const used = itemSecondsUsed(item, now);
  const planned = (item.planned_minutes || 0) * 60;
  return (
    <div class={`current-item${big ? ' current-item-big' : ''}`} data-testid="room-current-item" data-item-id={item.id}>
      <span class="current-label">{t('room.currentItem')}</span>
      <span class="current-title">{item.number}. {item.title}</span>
      {item.presenter_name && <span class="muted">{t('agenda.presenter')}: {item.presenter_name}</span>}
      <span class={`clock${planned && used > planned ? ' is-over' : ''}`} data-testid="room-item-clock">
        {formatClock(used)} / {formatClock(planned)}
      </span>
    </div>
  );
}

/** The agenda with the current item highlighted and each item's clock; the chair moves through it. */
export function AgendaPanel({ state, room, now, canGo = false }) {
  const [run, busy, error] = useCommand();
  return (
    <>
    <RoomErrorAlert error={error} />
    <ol class="room-agenda" data-testid="room-agenda">
      {state.agenda.map((item) => {
        const current = item.id === state.stage.current_item_id;
        const used = itemSecondsUsed(item, now);
        const planned = (item.planned_minutes || 0) * 60;
        return (
          <li key={item.id} class={`room-agenda-item${current ? ' is-current' : ''}${item.parent_id ? ' is-sub' : ''}`}
            data-testid="room-agenda-item" data-item-id={item.id} data-current={current ? 'true' : 'false'}
            aria-current={current ? 'step' : undefined}>
            <span class="room-agenda-title">{item.number}. {item.title}</span>
            <span class="room-agenda-meta">
              {item.planned_start && <span>{formatTime(item.planned_start)}</span>}
              <span class={`clock small${planned && used > planned ? ' is-over' : ''}`}>
                {used > 0 ? `${formatClock(used)} / ` : ''}{t('agenda.minutes', { count: item.planned_minutes })}
              </span>
            </span>
            {canGo && !current && (
              <button type="button" class="btn btn-small" disabled={busy} onClick={() => run(() => room.goToItem(item.id))} data-testid="room-agenda-go">
                {t('room.goToItem')}
              </button>
            )}
          </li>
        );
      })}
    </ol>
    </>
  );
}

/**
 * The presented page, following the presenter; free browsing with a clear way back.
 * Presenters (chair or the current item's presenter) drive it: their page controls and
 * document choice go to every screen, a click on the page points there.
 */
export function StageViewer({ state, room, documents, canPresent, big = false, onUnknownDocument }) {
  const stage = state.stage;
  // a document uploaded during the meeting: the list is read again when it is presented
  useEffect(() => {
    if (stage.document_id && !documents.some((d) => d.id === stage.document_id)) onUnknownDocument?.();
  }, [stage.document_id]);
  const [follow, setFollow] = useState(true);
  const [local, setLocal] = useState({ documentId: null, page: 1 });
  const [run, busy, error] = useCommand();
  const lastPoint = useRef(0);
  const screenHeight = useViewportHeight();

  const shownDoc = follow ? stage.document_id : local.documentId;
  const shownPage = follow ? stage.page : local.page;
  const pdf = usePdf(shownDoc ? documentFileUrl(shownDoc) : null);
  const pages = pdf.doc?.numPages || documents.find((d) => d.id === shownDoc)?.pages || 0;
  const ordered = currentFirst(documents, stage.current_item_id);

  const present = (documentId, page) => run(() => room.present(documentId, page));
  const browse = (documentId, page) => {
    setFollow(false);
    setLocal({ documentId, page });
  };
  const step = (delta) => {
    const next = Math.max(1, Math.min(pages || Infinity, (shownPage || 1) + delta));
    if (canPresent && follow && shownDoc) present(shownDoc, next);
    else browse(shownDoc, next);
  };
  const choose = (doc) => (canPresent ? (setFollow(true), present(doc.id, 1)) : browse(doc.id, 1));
  const point = (x, y) => {
    if (Date.now() - lastPoint.current < 100) return; // a few per second is plenty
    lastPoint.current = Date.now();
    run(() => room.point(x, y));
  };
  const presentedTitle = documents.find((d) => d.id === stage.document_id)?.title;

  return (
    <section class={`stage${big ? ' stage-big' : ''}`} aria-label={t('room.stage')} data-testid="room-stage"
      data-following={follow ? 'true' : 'false'}>
      {!big && ordered.length > 0 && (
        <ul class="stage-docs" data-testid="room-documents">
          {ordered.map((doc) => (
            <li key={doc.id}>
              <button type="button" class={`stage-doc${doc.id === shownDoc ? ' is-shown' : ''}${doc.agenda_item_id === stage.current_item_id && stage.current_item_id ? ' is-current-item' : ''}`}
                onClick={() => choose(doc)} data-testid="room-document" data-document-id={doc.id}>
                <span>{doc.title}</span> <ConfidentialityBadge level={doc.confidentiality} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="stage-bar">
        <span class="stage-where" data-testid="room-page-label" data-document-id={shownDoc ?? ''} data-page={shownPage ?? ''}>
          {shownDoc
            ? t('room.pageOf', { page: shownPage, pages: pages || '…' })
            : t('room.nothingPresented')}
          {follow && stage.document_id && <span class="badge follow-badge">{canPresent ? t('room.presenting') : t('room.following')}</span>}
          {follow && presentedTitle && <span class="muted"> · {presentedTitle}</span>}
        </span>
        {shownDoc && (
          <span class="toolbar-group">
            <button type="button" class="btn btn-small" disabled={busy || shownPage <= 1} onClick={() => step(-1)}
              data-testid="room-prev" aria-label={t('viewer.prev')}>‹ {t('viewer.prevShort')}</button>
            <button type="button" class="btn btn-small" disabled={busy || (pages > 0 && shownPage >= pages)} onClick={() => step(1)}
              data-testid="room-next" aria-label={t('viewer.next')}>{t('viewer.nextShort')} ›</button>
          </span>
        )}
        {!follow && stage.document_id && (
          <button type="button" class="btn btn-primary back-to-presenter" onClick={() => setFollow(true)} data-testid="room-back-to-presenter">
            {t('room.backToPresenter')}
          </button>
        )}
        {!follow && canPresent && shownDoc && (
          <button type="button" class="btn" onClick={() => (setFollow(true), present(shownDoc, shownPage))} data-testid="room-present-this">
            {t('room.presentThis')}
          </button>
        )}
      </div>
      <RoomErrorAlert error={error} />
      {pdf.error && <p class="alert alert-warning small" data-testid="room-pdf-error">{t('viewer.loadError')}</p>}
      {shownDoc && pdf.doc && (
        <PdfPage doc={pdf.doc} page={Math.min(shownPage || 1, pdf.doc.numPages)} fitWidth fitHeight={Math.max(320, screenHeight - (big ? 470 : 120))}
          testId="room-page"
          pointer={follow ? stage.pointer : null} onPoint={canPresent && follow ? point : undefined} />
      )}
      {shownDoc && !pdf.doc && !pdf.error && <p class="loading" role="status">{t('viewer.loading')}</p>}
    </section>
  );
}

/** The speaker with a countdown from ends_at (red when time is up). */
export function Speaker({ speaker, now, big = false }) {
  if (!speaker) return <p class={`speaker muted${big ? ' speaker-big' : ''}`} data-testid="room-speaker" data-request-id="">{t('room.nobodySpeaking')}</p>;
  const left = secondsLeft(speaker.ends_at, now);
  return (
    <div class={`speaker${big ? ' speaker-big' : ''}`} data-testid="room-speaker" data-request-id={speaker.id} data-user-id={speaker.user_id}>
      <span class="speaker-label">{t('room.speaking')}</span>
      <span class="speaker-name" data-testid="room-speaker-name">{speaker.name}</span>
      {speaker.unit_name && <span class="muted">{speaker.unit_name}</span>}
      {speaker.topic && <span class="speaker-topic">“{speaker.topic}”</span>}
      {left !== null && (
        <span class={`countdown${left <= 0 ? ' is-over' : left <= 30 ? ' is-warning' : ''}`} data-testid="room-countdown">
          {left <= 0 ? t('room.timeUp') : formatClock(left)}
        </span>
      )}
    </div>
  );
}

/** Register to speak (topic, position) or, when in the queue, my place and a way out. */
export function FloorRequest({ state, room, user, big = false }) {
  const [topic, setTopic] = useState('');
  const [position, setPosition] = useState('');
  const [run, busy, error] = useCommand();
  const { speaker } = splitQueue(state.floor.queue);
  const mine = myQueuePosition(state.floor.queue, user.id);
  if (speaker?.user_id === user.id) {
    return <p class={`alert alert-success${big ? ' big-text' : ''}`} data-testid="floor-mine" data-state="speaking">{t('room.youSpeak')}</p>;
  }
  if (mine) {
    return (
      <div class="floor-mine" data-testid="floor-mine" data-state="waiting" data-position={mine.position}>
        <p class={big ? 'big-text' : ''}><strong>{t('room.yourPosition', { position: mine.position })}</strong></p>
        <button type="button" class={`btn${big ? ' btn-huge' : ''}`} disabled={busy} data-testid="floor-withdraw"
          onClick={() => run(() => room.withdrawFloor(mine.request.id))}>{t('room.withdrawRequest')}</button>
        <RoomErrorAlert error={error} />
      </div>
    );
  }
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      await room.requestFloor(topic.trim(), position);
      setTopic('');
      setPosition('');
    });
  };
  return (
    <form class="form floor-form" onSubmit={submit} data-testid="floor-form">
      {!big && (
        <>
          <label class="field">
            <span class="field-label">{t('room.topic')}</span>
            <input value={topic} maxLength={300} onInput={(e) => setTopic(e.currentTarget.value)} data-testid="floor-topic" />
          </label>
          <label class="field">
            <span class="field-label">{t('room.position')}</span>
            <select value={position} onChange={(e) => setPosition(e.currentTarget.value)} data-testid="floor-position">
              <option value="">{t('room.position.none')}</option>
              <option value="for">{t('room.position.for')}</option>
              <option value="against">{t('room.position.against')}</option>
              <option value="question">{t('room.position.question')}</option>
            </select>
          </label>
        </>
      )}
      <button type="submit" class={`btn btn-primary${big ? ' btn-huge' : ''}`} disabled={busy} data-testid="floor-request">
        {t('room.requestFloor')}
      </button>
      <RoomErrorAlert error={error} />
    </form>
  );
}

/** The waiting queue; the chair reorders (drag or up/down) and gives the floor. */
export function FloorQueue({ state, room, chair }) {
  const { speaker, waiting } = splitQueue(state.floor.queue);
  const [seconds, setSeconds] = useState(180);
  const [dragged, setDragged] = useState(null);
  const [run, busy, error] = useCommand();
  const ids = waiting.map((r) => r.id);
  const reorder = (next) => next.join() !== ids.join() && run(() => room.reorderFloor(next));
  const move = (id, direction) => reorder(moveInQueue(ids, id, direction));
  const drop = (targetId) => {
    if (dragged !== null) reorder(dropInQueue(ids, dragged, targetId));
    setDragged(null);
  };
  return (
    <div class="floor-queue" data-testid="floor-queue">
      {chair && speaker && (
        <button type="button" class="btn" disabled={busy} onClick={() => run(() => room.endFloor())} data-testid="floor-end">
          {t('room.endSpeech')}
        </button>
      )}
      {chair && waiting.length > 0 && (
        <label class="field field-inline">
          <span class="field-label">{t('room.speechLength')}</span>
          <select value={seconds} onChange={(e) => setSeconds(Number(e.currentTarget.value))} data-testid="floor-seconds">
            {[60, 120, 180, 300, 600, 900].map((s) => <option key={s} value={s}>{t('room.minutesN', { count: s / 60 })}</option>)}
          </select>
        </label>
      )}
      <RoomErrorAlert error={error} />
      {waiting.length === 0 ? (
        <p class="muted small" data-testid="floor-empty">{t('room.queueEmpty')}</p>
      ) : (
        <ol class="queue">
          {waiting.map((r, index) => (
            <li key={r.id} class={`queue-item${dragged === r.id ? ' is-dragged' : ''}`} data-testid="floor-queue-item" data-request-id={r.id}
              data-user-id={r.user_id} draggable={chair} onDragStart={() => setDragged(r.id)} onDragOver={(e) => chair && e.preventDefault()}
              onDrop={(e) => (e.preventDefault(), drop(r.id))} onDragEnd={() => setDragged(null)}>
              <span class="queue-number">{index + 1}</span>
              <span class="queue-who">
                <strong>{r.name}</strong>{r.is_site ? ` (${t('room.site')})` : ''}
                {r.unit_name && !r.is_site && <span class="muted small"> — {r.unit_name}</span>}
                {(r.topic || r.position) && (
                  <span class="queue-topic small">
                    {r.position && <span class={`badge position-${r.position}`}>{t(`room.position.${r.position}`)}</span>} {r.topic}
                  </span>
                )}
              </span>
              {chair && (
                <span class="row-actions">
                  <button type="button" class="btn btn-small" disabled={busy || index === 0} onClick={() => move(r.id, -1)}
                    aria-label={t('agenda.moveUp')} data-testid="floor-up">↑</button>
                  <button type="button" class="btn btn-small" disabled={busy || index === waiting.length - 1} onClick={() => move(r.id, 1)}
                    aria-label={t('agenda.moveDown')} data-testid="floor-down">↓</button>
                  <button type="button" class="btn btn-small btn-primary" disabled={busy} onClick={() => run(() => room.giveFloor(r.id, seconds))}
                    data-testid="floor-give">{t('room.giveFloor')}</button>
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** The open vote (buttons, "đã bỏ phiếu", live count) and the last results. */
export function VotePanel({ state, room, canVote, chair = false, big = false }) {
  const vote = state.vote;
  const [run, busy, error] = useCommand();
  return (
    <div class="vote-panel" data-testid="vote-panel">
      {vote ? (
        <div class={`vote-open${big ? ' vote-big' : ''}`} data-testid="vote-open" data-vote-id={vote.id}>
          <p class="vote-question" data-testid="vote-question">{vote.question}</p>
          <p class="muted small">
            {vote.secret ? t('room.voteSecret') : t('room.voteOpenKind')}
            {vote.deadline && ` · ${t('room.voteDeadline', { time: formatTime(vote.deadline) })}`}
          </p>
          <p class="vote-count" data-testid="vote-count" data-cast={vote.cast} data-eligible={vote.eligible}>
            {t('room.voteCount', { cast: vote.cast, eligible: vote.eligible })}
          </p>
          {canVote && (
            <>
              {vote.my_ballot && (
                <p class="alert alert-success" data-testid="vote-done">
                  {t('room.voted')}{vote.my_ballot !== 'secret' && !vote.secret ? `: ${vote.my_ballot}` : ''}
                </p>
              )}
              {(!vote.my_ballot || vote.allow_change) && (
                <div class={`vote-buttons${big ? ' vote-buttons-big' : ''}`}>
                  {vote.options.map((option) => (
                    <button key={option} type="button" class={`btn vote-option${vote.my_ballot === option ? ' is-chosen' : ''}${big ? ' btn-huge' : ''}`}
                      disabled={busy} data-testid="vote-option" data-option={option}
                      onClick={() => run(() => room.castVote(vote.id, option))}>
                      {option}
                    </button>
                  ))}
                </div>
              )}
            </>
          )}
          {chair && (
            <button type="button" class="btn btn-danger" disabled={busy} onClick={() => run(() => room.closeVote(vote.id))} data-testid="vote-close">
              {t('room.closeVote')}
            </button>
          )}
          <RoomErrorAlert error={error} />
        </div>
      ) : (
        !state.last_vote && <p class="muted small" data-testid="vote-none">{t('room.noVote')}</p>
      )}
      {state.last_vote && <VoteResults vote={state.last_vote} big={big} />}
    </div>
  );
}

/** A closed vote's results: count and share per option. */
export function VoteResults({ vote, big = false }) {
  const rows = voteResults(vote);
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <div class={`vote-results${big ? ' vote-big' : ''}`} data-testid="vote-results" data-vote-id={vote.id}>
      <p class="vote-results-title">{t('room.voteResults')}: <strong>{vote.question}</strong></p>
      <ul class="results">
        {rows.map((r) => (
          <li key={r.option} data-testid="vote-result" data-option={r.option} data-count={r.count}>
            <span class="result-label">{r.option}</span>
            <span class="result-bar"><span style={{ width: `${(r.count / max) * 100}%` }} /></span>
            <span class="result-count">{r.count} ({r.share.toLocaleString('vi-VN')}%)</span>
          </li>
        ))}
      </ul>
      <p class="muted small">{t('room.voteCast', { cast: vote.cast, eligible: vote.eligible })}</p>
    </div>
  );
}
