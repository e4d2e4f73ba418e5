// The live meeting room without the DOM: one socket.io connection to the /meeting
// namespace (auth {meeting_id}, session cookie), a state store built from the
// server's snapshot and then kept current by events, and commands whose acks
// become resolved values or RoomErrors. Every (re)connect reads the snapshot again,
// so nothing missed while offline is lost. See docs/protocol.md.

import { io } from 'socket.io-client';

export const MEETING_NAMESPACE = '/meeting';
export const ACK_TIMEOUT_MS = 10_000;
export const DEFAULT_OPTIONS = ['Đồng ý', 'Không đồng ý', 'Không biểu quyết'];
export const POSITIONS = ['for', 'against', 'question'];
/** A refused connection that is the server's fault, not the client's: try again later. */
export const RETRY_REFUSAL = 'internal_error';
export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 30_000;

/** Server events the store applies (docs/protocol.md, "Server → client"). */
export const EVENTS = [
  'meeting.status',
  'agenda.current',
  'page.changed',
  'pointer.moved',
  'quorum.changed',
  'rollcall.changed',
  'floor.queue',
  'floor.granted',
  'floor.ended',
  'floor.time_up',
  'vote.opened',
  'vote.count',
  'vote.closed',
  'conclusion.saved',
  'announcement',
];

/** A refused command (ack ok: false), a refused connection, or no answer in time. */
export class RoomError extends Error {
  constructor(code, message, details) {
    super(message || code);
    this.name = 'RoomError';
    this.code = code;
    this.details = details;
  }
}

/** The state before the first snapshot. */
export function emptyState() {
  return {
    connection: 'connecting', // connecting | connected | disconnected | refused
    error: null, // {code, message} when refused
    ready: false, // a snapshot has been applied
    meeting: null,
    my_roles: [],
    version: 0,
    stage: { current_item_id: null, item_started_at: null, document_id: null, page: null, presenter_id: null, pointer: null },
    agenda: [],
    quorum: null,
    floor: { queue: [] },
    vote: null,
    last_vote: null,
    announcements: [],
    attendees: null, // runners only
    conclusions: null, // runners only
    speeches: null, // runners only
    time_up: null, // runners: the speaker whose time ran out
  };
}

/** Apply a snapshot: it replaces everything the server knows; connection fields stay. */
export function applySnapshot(state, snap) {
  return {
    ...emptyState(),
    connection: state.connection,
    error: null,
    ready: true,
    ...snap,
    floor: snap.floor || { queue: [] },
    time_up: state.time_up,
  };
}

function stopRunningClocks(agenda, at) {
  return agenda.map((item) => {
    const since = item.used?.running_since;
    if (!since) return item;
    const seconds = Math.max(0, (Date.parse(at) - Date.parse(since)) / 1000);
    return { ...item, used: { seconds: (item.used.seconds || 0) + seconds, running_since: null } };
  });
}

/**
 * Apply one server event to the state (pure). Events carrying a `version` older than
 * (or equal to) the state's are stale and ignored: a newer snapshot wins.
 * @param {ReturnType<typeof emptyState>} state
 * @param {string} name
 * @param {any} p payload
 * @param {string} [now] ISO time the event arrived (stops running clocks)
 */
export function applyEvent(state, name, p, now = new Date().toISOString()) {
  if (p && typeof p.version === 'number') {
    if (p.version <= state.version) return state;
    state = { ...state, version: p.version };
  }
  switch (name) {
    case 'meeting.status': {
      const meeting = state.meeting ? { ...state.meeting, status: p.status } : state.meeting;
      const ended = p.status !== 'in_progress';
      return {
        ...state,
        meeting,
        agenda: ended ? stopRunningClocks(state.agenda, now) : state.agenda,
        floor: ended ? { queue: [] } : state.floor,
      };
    }
    case 'agenda.current': {
      const agenda = stopRunningClocks(state.agenda, p.started_at || now).map((item) =>
        item.id === p.item_id
          ? { ...item, used: { seconds: item.used?.seconds || 0, running_since: p.started_at } }
          : item,
      );
      return {
        ...state,
        agenda,
        stage: { ...state.stage, current_item_id: p.item_id, item_started_at: p.started_at },
      };
    }
    case 'page.changed':
      return {
        ...state,
        stage: { ...state.stage, document_id: p.document_id, page: p.page, presenter_id: p.presenter_id, pointer: null },
      };
    case 'pointer.moved':
      if (p.document_id !== state.stage.document_id || p.page !== state.stage.page) return state;
      return { ...state, stage: { ...state.stage, pointer: { x: p.x, y: p.y } } };
    case 'quorum.changed':
      return { ...state, quorum: p };
    case 'rollcall.changed':
      return { ...state, attendees: p.attendees };
    case 'floor.queue':
      return { ...state, floor: { ...state.floor, queue: p.queue || [] } };
    case 'floor.granted': {
      // the queue that follows is the truth; this keeps the speaker shown meanwhile
      const queue = state.floor.queue.filter((r) => r.id !== p.speaker.id && r.status !== 'speaking');
      return { ...state, floor: { ...state.floor, queue: [p.speaker, ...queue] }, time_up: null };
    }
    case 'floor.ended': {
      const queue = state.floor.queue.filter((r) => r.id !== p.request_id);
      const timeUp = state.time_up?.id === p.request_id ? null : state.time_up;
      return { ...state, floor: { ...state.floor, queue }, time_up: timeUp };
    }
    case 'floor.time_up':
      return { ...state, time_up: p.speaker };
    case 'vote.opened':
      return { ...state, vote: { ...p, my_ballot: null } };
    case 'vote.count':
      if (!state.vote || state.vote.id !== p.vote_id) return state;
      return { ...state, vote: { ...state.vote, cast: Math.max(state.vote.cast || 0, p.cast), eligible: p.eligible } };
    case 'vote.closed':
      return { ...state, vote: state.vote?.id === p.id ? null : state.vote, last_vote: p };
    case 'conclusion.saved':
      return { ...state, conclusions: { ...(state.conclusions || {}), [String(p.item_id)]: p.text } };
    case 'announcement':
      if (state.announcements.some((a) => a.id === p.id)) return state;
      return { ...state, announcements: [p, ...state.announcements].slice(0, 5) };
    default:
      return state;
  }
}

/**
 * Events that arrived while the snapshot was being read: keep those that may be newer
 * than it. Versioned events are filtered by applyEvent; announcements by id; vote
 * counts never go down. Whole-list events (queue, quorum, roll-call) sent before the
 * snapshot's answer are not newer than it and are dropped.
 */
export function replayable(name) {
  return !['floor.queue', 'quorum.changed', 'rollcall.changed'].includes(name);
}

// ---- derived values -----------------------------------------------------------

/** Seconds used by an agenda item so far (its closed clocks plus the running one). */
export function itemSecondsUsed(item, now = Date.now()) {
  if (!item?.used) return 0;
  const running = item.used.running_since ? Math.max(0, (now - Date.parse(item.used.running_since)) / 1000) : 0;
  return (item.used.seconds || 0) + running;
}

/** Seconds left of a speech (negative once over time). */
export function secondsLeft(endsAt, now = Date.now()) {
  if (!endsAt) return null;
  return Math.round((Date.parse(endsAt) - now) / 1000);
}

/** "mm:ss" (or "h:mm:ss"), with a minus sign when negative. */
export function formatClock(seconds) {
  const sign = seconds < 0 ? '−' : '';
  const s = Math.abs(Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h ? `${sign}${h}:${String(m).padStart(2, '0')}:${r}` : `${sign}${String(m).padStart(2, '0')}:${r}`;
}

/** The speaker (status speaking) and the waiting requests, in the chair's order. */
export function splitQueue(queue) {
  return {
    speaker: queue.find((r) => r.status === 'speaking') || null,
    waiting: queue.filter((r) => r.status === 'waiting'),
  };
}

/** My place among the waiting requests (1-based), or null. */
export function myQueuePosition(queue, userId) {
  const { waiting } = splitQueue(queue);
  const index = waiting.findIndex((r) => r.user_id === userId);
  return index < 0 ? null : { position: index + 1, request: waiting[index] };
}

/** The waiting ids after moving one up (-1) or down (+1); unchanged at the ends. */
export function moveInQueue(ids, id, direction) {
  const from = ids.indexOf(id);
  const to = from + direction;
  if (from < 0 || to < 0 || to >= ids.length) return ids;
  const next = [...ids];
  [next[from], next[to]] = [next[to], next[from]];
  return next;
}

/** The waiting ids after dragging `id` onto `targetId`'s place. */
export function dropInQueue(ids, id, targetId) {
  if (id === targetId || !ids.includes(id) || !ids.includes(targetId)) return ids;
  const rest = ids.filter((x) => x !== id);
  const at = rest.indexOf(targetId) + (ids.indexOf(id) < ids.indexOf(targetId) ? 1 : 0);
  rest.splice(at, 0, id);
  return rest;
}

/** What the roles allow in the room (the server still decides). */
export function roomRights(myRoles, status) {
  const roles = myRoles || [];
  const chair = roles.includes('chair');
  const organiser = roles.includes('organiser');
  const participant = roles.includes('invitee') || roles.includes('substitute');
  const running = status === 'in_progress';
  const live = running || status === 'published';
  return {
    chair,
    organiser,
    runner: chair || organiser,
    present: (chair || roles.includes('presenter')) && live,
    start: (chair || organiser) && status === 'published',
    end: (chair || organiser) && running,
    speak: participant && live,
    vote: (participant || chair) && running,
    rollCall: organiser && live,
    conclude: organiser && (running || status === 'ended'),
  };
}

/** Vote results sorted as the options, with shares of the ballots cast. */
export function voteResults(vote) {
  const results = vote?.results || {};
  const total = Object.values(results).reduce((a, b) => a + b, 0);
  return (vote?.options || []).map((option) => ({
    option,
    count: results[option] || 0,
    share: total ? Math.round(((results[option] || 0) / total) * 1000) / 10 : 0,
  }));
}

// ---- the connection -------------------------------------------------------------

/** The default connection: same origin, path /socket.io/, the session cookie. */
export function connectMeeting(meetingId, options = {}) {
  return io(MEETING_NAMESPACE, {
    path: '/socket.io/',
    withCredentials: true,
    auth: { meeting_id: meetingId },
    forceNew: true, // its own connection: a later room (another meeting) never reuses this auth
    ...options,
  });
}

/**
 * Open the room of one meeting.
 * @param {number} meetingId
 * @param {{connect?: (id: number) => any, ackTimeout?: number, clock?: () => string, retryFirstMs?: number}} [options]
 *   `connect` returns a socket.io-like socket (tests pass a fake); `retryFirstMs`: the first
 *   wait before connecting again after an internal_error refusal (doubling up to RETRY_MAX_MS)
 */
export function createMeetingRoom(
  meetingId,
  { connect = connectMeeting, ackTimeout = ACK_TIMEOUT_MS, clock, retryFirstMs = RETRY_FIRST_MS } = {},
) {
  const now = clock || (() => new Date().toISOString());
  let state = emptyState();
  const listeners = new Set();
  const eventListeners = new Set();
  let buffering = null; // events that arrive while a snapshot is being read
  let closed = false;
  let snapshotRound = 0;

  const set = (next) => {
    if (next === state) return;
    state = next;
    listeners.forEach((fn) => fn(state));
  };

  const socket = connect(meetingId);

  function send(event, payload) {
    return new Promise((resolve, reject) => {
      if (closed) {
        reject(new RoomError('room_closed', 'room closed'));
        return;
      }
      if (!socket.connected) {
        reject(new RoomError('not_connected', ''));
        return;
      }
      const timer = setTimeout(() => reject(new RoomError('timeout', '')), ackTimeout);
      const onAck = (ack) => {
        clearTimeout(timer);
        if (ack && ack.ok) resolve(ack);
        else reject(new RoomError(ack?.error?.code || 'error', ack?.error?.message || '', ack?.error?.details));
      };
      if (payload === undefined) socket.emit(event, onAck);
      else socket.emit(event, payload, onAck);
    });
  }

  async function loadSnapshot() {
    const round = ++snapshotRound;
    buffering = [];
    try {
      const ack = await send('snapshot');
      if (round !== snapshotRound) return;
      const { ok, ...snap } = ack;
      let next = applySnapshot(state, snap);
      for (const [name, payload, at] of buffering) {
        if (replayable(name)) next = applyEvent(next, name, payload, at);
      }
      buffering = null;
      set(next);
    } catch (err) {
      if (round !== snapshotRound) return;
      buffering = null;
      set({ ...state, error: { code: err.code, message: err.message } });
    }
  }

  socket.on('connect', () => {
    retries = 0;
    set({ ...state, connection: 'connected', error: null });
    loadSnapshot();
  });
  socket.on('disconnect', () => {
    if (!closed) set({ ...state, connection: 'disconnected' });
  });
  let retryTimer = null;
  let retries = 0;
  socket.on('connect_error', (err) => {
    // a refusal by the server (stranger, wrong status…) is final; a network error retries;
    // so does the server's own failure (internal_error), a little later each time
    const data = err?.data;
    if (data?.code === RETRY_REFUSAL && !socket.active && !closed) {
      set({ ...state, connection: 'disconnected' });
      const delay = Math.min(RETRY_MAX_MS, retryFirstMs * 2 ** retries++);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => !closed && socket.connect(), delay);
    } else if (data?.code && !socket.active) set({ ...state, connection: 'refused', error: { code: data.code, message: data.message } });
    else set({ ...state, connection: 'disconnected' });
  });
  for (const name of EVENTS) {
    socket.on(name, (payload) => {
      const at = now();
      if (buffering) buffering.push([name, payload, at]);
      else set(applyEvent(state, name, payload, at));
      eventListeners.forEach((fn) => fn(name, payload));
    });
  }

  return {
    /** The current state. */
    get state() {
      return state;
    },
    /** Listen to state changes. @returns {() => void} unsubscribe */
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /** Listen to raw events (e.g. to flash a banner). @returns {() => void} unsubscribe */
    onEvent(fn) {
      eventListeners.add(fn);
      return () => eventListeners.delete(fn);
    },
    /** Send any client event; resolves with the ack, rejects with a RoomError. */
    send,
    /**
     * Listen to any event of the socket itself (`connect`, `disconnect`, the conference's
     * `media.*`), next to the store's own handlers. @returns {() => void} unsubscribe
     */
    on(event, fn) {
      socket.on(event, fn);
      return () => socket.off?.(event, fn);
    },
    /** Whether the socket is connected now. */
    get connected() {
      return Boolean(socket.connected) && !closed;
    },
    /** Read the snapshot again. */
    refresh: loadSnapshot,
    startMeeting: () => send('meeting.start'),
    endMeeting: () => send('meeting.end'),
    goToItem: (itemId) => send('agenda.go', { item_id: itemId }),
    present: (documentId, page) => send('page', { document_id: documentId, page }),
    point: (x, y) => send('pointer', { x, y }),
    announce: (text) => send('announce', { text }),
    saveConclusion: (itemId, text) => send('conclusion.save', { item_id: itemId, text }),
    markRollCall: (userId, status, reason) => send('rollcall.mark', { user_id: userId, status, ...(reason ? { reason } : {}) }),
    setQuorumRule: (members, minSites) => send('quorum.rule', { members, min_sites: minSites }),
    requestFloor: (topic = '', position = '') => send('floor.request', { topic, position }),
    withdrawFloor: (requestId) => send('floor.withdraw', { request_id: requestId }),
    reorderFloor: (requestIds) => send('floor.reorder', { request_ids: requestIds }),
    giveFloor: (requestId, seconds = 180) => send('floor.give', { request_id: requestId, seconds }),
    endFloor: () => send('floor.end'),
    openVote: (data) => send('vote.open', data),
    async castVote(voteId, choice) {
      const ack = await send('vote.cast', { vote_id: voteId, choice });
      if (state.vote?.id === voteId) set({ ...state, vote: { ...state.vote, my_ballot: state.vote.secret ? 'secret' : choice } });
      return ack;
    },
    closeVote: (voteId) => send('vote.close', { vote_id: voteId }),
    /** The runners' time-up alert has been seen. */
    dismissTimeUp() {
      set({ ...state, time_up: null });
    },
    /** Leave the room (the socket closes; the server records the leave). */
    close() {
      closed = true;
      clearTimeout(retryTimer);
      socket.disconnect();
      listeners.clear();
      eventListeners.clear();
    },
  };
}
