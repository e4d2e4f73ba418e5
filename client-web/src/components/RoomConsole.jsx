// The chair's console and the secretary's tools in the live room: start/end, agenda
// navigation, announcements, opening votes; roll-call, the quorum rule, conclusions.

import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n.js';
import { DEFAULT_OPTIONS } from '../meetingRoom.js';
import { RoomErrorAlert, useCommand } from './Room.jsx';

/** Start / end the meeting (chair and organisers). */
export function MeetingControls({ state, room, rights }) {
  const [run, busy, error] = useCommand();
  const [asking, setAsking] = useState(false);
  return (
    <div class="room-controls">
      {rights.start && (
        <button type="button" class="btn btn-primary" disabled={busy} onClick={() => run(() => room.startMeeting())} data-testid="room-start">
          {t('lifecycle.start')}
        </button>
      )}
      {rights.end && !asking && (
        <button type="button" class="btn btn-danger" disabled={busy} onClick={() => setAsking(true)} data-testid="room-end">
          {t('lifecycle.end')}
        </button>
      )}
      {asking && (
        <span class="confirm-inline" data-testid="room-end-confirm">
          {t('room.endConfirm')}{' '}
          <button type="button" class="btn btn-danger btn-small" disabled={busy}
            onClick={async () => (await run(() => room.endMeeting())) && setAsking(false)} data-testid="room-end-ok">{t('lifecycle.end')}</button>
          <button type="button" class="btn btn-small" onClick={() => setAsking(false)}>{t('common.cancel')}</button>
        </span>
      )}
      <RoomErrorAlert error={error} />
      {state.meeting?.status === 'published' && !rights.start && <span class="muted">{t('room.notStarted')}</span>}
    </div>
  );
}

/** The next item after the current one (for a one-click "next"). */
function nextItemId(state) {
  const index = state.agenda.findIndex((i) => i.id === state.stage.current_item_id);
  return state.agenda[index + 1]?.id ?? null;
}

/** Agenda navigation buttons for the chair (the list itself has "go" per item). */
export function AgendaNext({ state, room }) {
  const [run, busy, error] = useCommand();
  const next = nextItemId(state);
  if (next === null) return null;
  return (
    <>
      <button type="button" class="btn btn-primary" disabled={busy} onClick={() => run(() => room.goToItem(next))} data-testid="room-agenda-next">
        {state.stage.current_item_id ? t('room.nextItem') : t('room.firstItem')}
      </button>
      <RoomErrorAlert error={error} />
    </>
  );
}

/** A short message to every screen. */
export function AnnounceForm({ room }) {
  const [text, setText] = useState('');
  const [run, busy, error] = useCommand();
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      await room.announce(text.trim());
      setText('');
    });
  };
  return (
    <form class="form form-inline" onSubmit={submit} data-testid="announce-form">
      <label class="field grow">
        <span class="field-label">{t('room.announce')}</span>
        <input value={text} maxLength={500} onInput={(e) => setText(e.currentTarget.value)} data-testid="announce-text" />
      </label>
      <button type="submit" class="btn" disabled={busy || !text.trim()} data-testid="announce-send">{t('room.send')}</button>
      <RoomErrorAlert error={error} />
    </form>
  );
}

/** Open a vote: question, options (default Đồng ý / Không đồng ý / Không biểu quyết), kind, deadline. */
export function VoteOpenForm({ room, sitesInvited }) {
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState(DEFAULT_OPTIONS.join('\n'));
  const [secret, setSecret] = useState(false);
  const [allowChange, setAllowChange] = useState(false);
  const [sitesVote, setSitesVote] = useState(sitesInvited);
  const [minutes, setMinutes] = useState('');
  const [run, busy, error] = useCommand();
  const list = options.split('\n').map((o) => o.trim()).filter(Boolean);
  const submit = (e) => {
    e.preventDefault();
    const deadline = Number(minutes) > 0 ? new Date(Date.now() + Number(minutes) * 60_000).toISOString() : undefined;
    run(async () => {
      await room.openVote({
        question: question.trim(),
        options: list,
        secret,
        allow_change: secret ? false : allowChange,
        sites_vote: sitesVote,
        ...(deadline ? { deadline } : {}),
      });
      setQuestion('');
    });
  };
  return (
    <form class="form" onSubmit={submit} data-testid="vote-form">
      <label class="field">
        <span class="field-label">{t('room.voteQuestion')}</span>
        <input value={question} required maxLength={500} onInput={(e) => setQuestion(e.currentTarget.value)} data-testid="vote-question-input" />
      </label>
      <label class="field">
        <span class="field-label">{t('room.voteOptions')}</span>
        <textarea rows={3} value={options} onInput={(e) => setOptions(e.currentTarget.value)} data-testid="vote-options-input" />
        <span class="field-hint">{t('room.voteOptionsHint')}</span>
      </label>
      <fieldset class="checks">
        <label class="check">
          <input type="checkbox" checked={secret} onChange={(e) => setSecret(e.currentTarget.checked)} data-testid="vote-secret" />
          {t('room.voteSecretOption')}
        </label>
        <label class="check">
          <input type="checkbox" checked={allowChange && !secret} disabled={secret} onChange={(e) => setAllowChange(e.currentTarget.checked)}
            data-testid="vote-allow-change" />
          {t('room.voteAllowChange')}
        </label>
        <label class="check">
          <input type="checkbox" checked={sitesVote} onChange={(e) => setSitesVote(e.currentTarget.checked)} data-testid="vote-sites" />
          {t('room.voteSites')}
        </label>
      </fieldset>
      <label class="field field-inline">
        <span class="field-label">{t('room.voteMinutes')}</span>
        <input type="number" min={1} max={240} value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} data-testid="vote-minutes"
          placeholder={t('room.voteNoDeadline')} />
      </label>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy || !question.trim() || list.length < 2} data-testid="vote-open-submit">
          {t('room.openVote')}
        </button>
      </div>
      <RoomErrorAlert error={error} />
    </form>
  );
}

const STATUS_ORDER = ['present_hall', 'present_online', 'absent', 'not_yet'];

/** The secretary's roll-call board: present in the hall / absent with reason / clear; online live. */
export function RollCallBoard({ state, room, canMark }) {
  const [run, busy, error] = useCommand();
  const [absent, setAbsent] = useState(null); // {user_id, reason}
  const attendees = state.attendees || [];
  const counts = Object.fromEntries(STATUS_ORDER.map((s) => [s, attendees.filter((a) => a.status === s).length]));
  const mark = (userId, status, reason) => run(() => room.markRollCall(userId, status, reason));
  return (
    <div class="rollcall" data-testid="rollcall-board">
      <p class="rollcall-counts">
        {STATUS_ORDER.map((s) => (
          <span key={s} class={`badge presence-${s}`} data-testid={`rollcall-count-${s}`}>{t(`presence.${s}`)}: {counts[s]}</span>
        ))}
      </p>
      <RoomErrorAlert error={error} />
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('attendance.person')}</th>
              <th scope="col">{t('common.status')}</th>
              {canMark && <th scope="col">{t('common.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {attendees.map((a) => (
              <tr key={a.invitation_id} data-testid="rollcall-row" data-user-id={a.user_id} data-status={a.status} data-kind={a.kind}>
                <th scope="row" class="wrap">
                  {a.name}
                  {a.kind === 'site' && <span class="sub">{t('room.site')}{a.sitting?.length ? `: ${a.sitting.join(', ')}` : ''}</span>}
                  {a.kind === 'person' && !a.voting && <span class="sub">{t('room.nonVoting')}</span>}
                </th>
                <td class="wrap">
                  <span class={`badge presence-${a.status}`}>{t(`presence.${a.status}`)}</span>
                  {a.reason && <span class="sub">{a.reason}</span>}
                </td>
                {canMark && (
                  <td>
                    {absent?.user_id === a.user_id ? (
                      <form class="form-inline inline-form" onSubmit={(e) => (e.preventDefault(), mark(a.user_id, 'absent', absent.reason.trim() || undefined), setAbsent(null))}>
                        <input value={absent.reason} placeholder={t('answer.reason')} aria-label={t('answer.reason')} maxLength={500}
                          onInput={(e) => setAbsent({ ...absent, reason: e.currentTarget.value })} data-testid="rollcall-reason" />
                        <button type="submit" class="btn btn-small" data-testid="rollcall-absent-save">{t('common.save')}</button>
                      </form>
                    ) : (
                      <span class="row-actions">
                        {a.kind === 'person' && a.status !== 'present_online' && (
                          <button type="button" class="btn btn-small" disabled={busy} onClick={() => mark(a.user_id, 'present_hall')}
                            data-testid="rollcall-present">{t('room.markPresent')}</button>
                        )}
                        <button type="button" class="btn btn-small" disabled={busy} onClick={() => setAbsent({ user_id: a.user_id, reason: a.reason || '' })}
                          data-testid="rollcall-absent">{t('room.markAbsent')}</button>
                        <button type="button" class="btn btn-small" disabled={busy} onClick={() => mark(a.user_id, 'clear')}
                          data-testid="rollcall-clear">{t('room.markClear')}</button>
                      </span>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** The quorum rule: members (more than half / two thirds / none) and a minimum of communes. */
export function QuorumRuleForm({ state, room }) {
  const [members, setMembers] = useState(state.quorum?.rule || 'more_than_half');
  const [minSites, setMinSites] = useState(String(state.quorum?.min_sites ?? 0));
  const [run, busy, error] = useCommand();
  const [saved, setSaved] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setSaved(false);
    setSaved(await run(() => room.setQuorumRule(members, Number(minSites) || 0)));
  };
  return (
    <form class="form form-inline" onSubmit={submit} data-testid="quorum-form">
      <label class="field">
        <span class="field-label">{t('room.quorumRule')}</span>
        <select value={members} onChange={(e) => setMembers(e.currentTarget.value)} data-testid="quorum-members">
          {['more_than_half', 'two_thirds', 'none'].map((r) => <option key={r} value={r}>{t(`quorumRule.${r}`)}</option>)}
        </select>
      </label>
      <label class="field">
        <span class="field-label">{t('room.quorumMinSites')}</span>
        <input type="number" min={0} max={1000} value={minSites} onInput={(e) => setMinSites(e.currentTarget.value)} data-testid="quorum-min-sites" />
      </label>
      <button type="submit" class="btn" disabled={busy} data-testid="quorum-save">{t('common.save')}</button>
      {saved && <span class="muted small" role="status">{t('room.saved')}</span>}
      <RoomErrorAlert error={error} />
    </form>
  );
}

const AUTOSAVE_MS = 1200;

/** The conclusion of one agenda item, saved as the secretary types (conclusion.save). */
export function ConclusionEditor({ state, room, canEdit }) {
  const [itemId, setItemId] = useState(state.stage.current_item_id ?? state.agenda[0]?.id ?? null);
  const saved = (state.conclusions || {})[String(itemId)] ?? '';
  const [text, setText] = useState(saved);
  const [status, setStatus] = useState('saved'); // saved | dirty | saving | error
  const [error, setError] = useState(null);
  const timer = useRef(null);
  const pending = useRef(null);

  // follow the chair to the current item unless the secretary is typing
  useEffect(() => {
    if (status === 'saved' && state.stage.current_item_id) setItemId(state.stage.current_item_id);
  }, [state.stage.current_item_id]);
  useEffect(() => {
    if (status === 'saved') setText(saved);
  }, [itemId, saved]);

  const save = async (id, value) => {
    setStatus('saving');
    try {
      await room.saveConclusion(id, value);
      setStatus(pending.current ? 'dirty' : 'saved');
      setError(null);
    } catch (err) {
      setStatus('error');
      setError(err);
    }
  };
  const type = (value) => {
    setText(value);
    setStatus('dirty');
    clearTimeout(timer.current);
    pending.current = { id: itemId, value };
    timer.current = setTimeout(() => {
      const { id, value: v } = pending.current;
      pending.current = null;
      save(id, v);
    }, AUTOSAVE_MS);
  };
  const switchItem = (id) => {
    if (pending.current) {
      clearTimeout(timer.current);
      const { id: oldId, value } = pending.current;
      pending.current = null;
      save(oldId, value);
    }
    setItemId(id);
    setText((state.conclusions || {})[String(id)] ?? '');
  };
  useEffect(() => () => {
    // leaving: save what was typed
    if (pending.current) room.saveConclusion(pending.current.id, pending.current.value).catch(() => {});
    clearTimeout(timer.current);
  }, []);

  if (!state.agenda.length) return <p class="muted">{t('agenda.empty')}</p>;
  return (
    <div class="conclusion" data-testid="conclusion-editor">
      <label class="field">
        <span class="field-label">{t('room.conclusionFor')}</span>
        <select value={itemId ?? ''} onChange={(e) => switchItem(Number(e.currentTarget.value))} data-testid="conclusion-item">
          {state.agenda.map((i) => <option key={i.id} value={i.id}>{i.number}. {i.title}</option>)}
        </select>
      </label>
      <textarea rows={8} value={text} readOnly={!canEdit} onInput={(e) => type(e.currentTarget.value)} data-testid="conclusion-text"
        aria-label={t('room.conclusion')} maxLength={20000} />
      <span class={`autosave autosave-${status}`} data-testid="conclusion-status" data-status={status} role="status">
        {canEdit ? t(`room.autosave.${status}`) : t('room.conclusionReadOnly')}
      </span>
      <RoomErrorAlert error={error} />
    </div>
  );
}
