// The video conference without the DOM: it rides on the meeting room's socket
// (meetingRoom.js), joins the conference (`media.join`), sends the camera and the
// microphone on a send-only RTCPeerConnection (`media.publish`), answers the relay's
// offers on a receive-only one (`media.offer` → `media.answer`) and keeps a store:
// who is on air (`media.publishers`), which received track shows whom (`media.slots`:
// mid → publisher), the active speaker, downgraded videos, the chair's link figures.
// It recovers by itself: a socket reconnect, or a connection whose ICE fails or stays
// disconnected, makes it join and publish again within seconds (publishing again under
// the same publisher id replaces the old connection on the server).
//
// WebRTC comes in through `rtc` (RTCPeerConnection, getUserMedia, getDisplayMedia), so
// the module imports in node and tests drive it with fakes. See docs/protocol.md, "The
// video conference".

export const GATHER_TIMEOUT_MS = 4000; // the relay does not trickle: the offer waits for ICE
export const DISCONNECTED_GRACE_MS = 4000; // "disconnected" this long counts as failed
export const RETRY_DELAYS_MS = [300, 1000, 2000, 4000, 8000];
export const STATS_INTERVAL_MS = 4000;
// A slot the relay reports with no m-line yet must come with an offer soon; if none comes,
// join again (the new connection's first offer carries every slot).
export const UNNEGOTIATED_GRACE_MS = 2500;
export const PAGE_SIZE = 12; // commune tiles per page on the hall display

/** Join refusals that a retry cannot fix. */
const FINAL_CODES = new Set([
  'meeting_forbidden',
  'meeting_not_found',
  'meeting_wrong_status',
  'meeting_archived',
  'not_authenticated',
  'media_off',
]);

/** Camera constraints per place: a commune link is weak, the hall's picture is seen everywhere. */
export const VIDEO_CONSTRAINTS = {
  hall: { width: { ideal: 960 }, height: { ideal: 540 }, frameRate: { ideal: 20, max: 25 } },
  site: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15, max: 20 } },
  person: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15, max: 20 } },
};
/** Upper bitrates (bits/s) of what one browser sends. */
export const MAX_BITRATE = { hall: 1_200_000, site: 600_000, person: 500_000, screen: 1_500_000 };
const AUDIO_CONSTRAINTS = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

// ---- pure helpers -------------------------------------------------------------------

/** The server's publisher id: `h<user>` hall, `s<user>` site, `p<user>` person; `:screen`. */
export function publisherIdOf(place, userId, screen = false) {
  if (!place || userId == null) return null;
  return `${place[0]}${userId}${screen ? ':screen' : ''}`;
}

/**
 * Which of the sender's peer connections an SDP comes from: its DTLS fingerprint (one
 * certificate per connection), else its ICE user fragment. Not the `o=` line: aiortc puts
 * the current NTP second there, new at every renegotiation and shared by connections made
 * in the same second.
 */
export function sdpIdentity(sdp) {
  const fingerprint = /^a=fingerprint:(.+)$/m.exec(sdp || '');
  if (fingerprint) return fingerprint[1].trim();
  const ufrag = /^a=ice-ufrag:(.+)$/m.exec(sdp || '');
  return ufrag ? ufrag[1].trim() : null;
}

/**
 * Which received track shows whom.
 * @param {{mid: string|null, kind: string, publisher_id: string|null}[]} slots
 * @param {Map<string, any>} tracksByMid
 * @returns {Record<string, {video: any, audio: any}>}
 */
export function remoteTracks(slots, tracksByMid) {
  const out = {};
  for (const slot of slots || []) {
    if (!slot.publisher_id || slot.mid == null) continue;
    const track = tracksByMid.get(String(slot.mid));
    if (!track) continue;
    const entry = out[slot.publisher_id] || (out[slot.publisher_id] = { video: null, audio: null });
    entry[slot.kind === 'audio' ? 'audio' : 'video'] = track;
  }
  return out;
}

const PLACE_ORDER = { site: 0, person: 1, hall: 2 };

/** A tile's title: a commune by its unit ("Xã Vĩnh Hanh"), a person by name. */
export function tileTitle(publisher) {
  if (!publisher) return '';
  if (publisher.place === 'site') return publisher.unit_name || publisher.name || publisher.publisher_id;
  return publisher.name || publisher.unit_name || publisher.publisher_id;
}

/** Tiles of a grid: communes by name (Vietnamese order), then officials, then other hall devices. */
export function sortTiles(publishers) {
  return [...(publishers || [])].sort(
    (a, b) =>
      (PLACE_ORDER[a.place] ?? 3) - (PLACE_ORDER[b.place] ?? 3) ||
      tileTitle(a).localeCompare(tileTitle(b), 'vi') ||
      String(a.publisher_id).localeCompare(String(b.publisher_id)),
  );
}

/** One page of a list: {items, page, pages} (page clamped, 0-based). */
export function pageOf(list, page, size = PAGE_SIZE) {
  const pages = Math.max(1, Math.ceil((list?.length || 0) / size));
  const at = Math.min(Math.max(0, page || 0), pages - 1);
  return { items: (list || []).slice(at * size, at * size + size), page: at, pages };
}

/**
 * Who fills the big picture: the floor holder, else the spotlighted site, else a shared
 * screen. Returns the publisher (or null) and why.
 */
export function mainPublisher(publishers, floorUserId, spotlightUserId, exclude = []) {
  const cameras = (publishers || []).filter((p) => !p.screen && !exclude.includes(p.publisher_id));
  const floor = floorUserId != null && cameras.find((p) => p.user_id === floorUserId);
  if (floor) return { publisher: floor, reason: 'floor' };
  const spotlight = spotlightUserId != null && cameras.find((p) => p.user_id === spotlightUserId);
  if (spotlight) return { publisher: spotlight, reason: 'spotlight' };
  const screen = (publishers || []).find((p) => p.screen && !exclude.includes(p.publisher_id));
  if (screen) return { publisher: screen, reason: 'screen' };
  return { publisher: null, reason: null };
}

/** The hall's camera as a commune sees it: the chair's device first, else any hall device. */
export function hallPublisher(publishers, chairId) {
  const hall = (publishers || []).filter((p) => p.place === 'hall' && !p.screen);
  return hall.find((p) => p.user_id === chairId) || hall[0] || null;
}

const VIDEO_PACKET_BYTES = 1100; // a typical RTP video payload, to estimate packets from bits

/**
 * The chair's link figures per publisher from two `media.stats` answers.
 * Only the up links (publishers) are named by the server; down links (`v:<sid>`) are not.
 * @param {any[]} peers the `peers` of the ack
 * @param {Record<string, any>} previous the rows of the previous poll (for loss deltas)
 * @param {number} seconds time since the previous poll
 */
export function statsRows(peers, previous = {}, seconds = STATS_INTERVAL_MS / 1000) {
  const rows = {};
  for (const peer of peers || []) {
    if (peer.role !== 'publisher') continue;
    const video = peer.tracks?.find((t) => t.kind === 'video') || null;
    const audio = peer.tracks?.find((t) => t.kind === 'audio') || null;
    const lostTotal = (peer.tracks || []).reduce((sum, t) => sum + (t.packets_lost || 0), 0);
    const before = previous[peer.peer_id];
    const measured = Boolean(before); // rates and loss need two polls
    const lost = measured ? Math.max(0, lostTotal - (before.lostTotal || 0)) : 0;
    const expected =
      (audio ? (audio.fps || 0) * seconds : 0) + (video ? ((video.bitrate_bps || 0) * seconds) / 8 / VIDEO_PACKET_BYTES : 0);
    const fractions = (peer.tracks || []).map((t) => t.fraction_lost).filter((f) => typeof f === 'number');
    const lossPct = fractions.length
      ? Math.max(...fractions) * 100
      : lost + expected > 0
        ? (lost / (lost + expected)) * 100
        : 0;
    const rtts = (peer.tracks || []).map((t) => t.rtt_s).filter((r) => typeof r === 'number');
    const row = {
      publisher_id: peer.peer_id,
      label: peer.label || null,
      state: peer.state,
      muted: peer.muted,
      audio_level: peer.audio_level,
      video: Boolean(video),
      video_kbps: video ? Math.round((video.bitrate_bps || 0) / 1000) : null,
      fps: video ? Math.round((video.fps || 0) * 10) / 10 : null,
      audio_kbps: audio ? Math.round((audio.bitrate_bps || 0) / 1000) : null,
      loss_pct: measured ? Math.round(lossPct * 10) / 10 : null,
      rtt_ms: rtts.length ? Math.round(Math.max(...rtts) * 1000) : null,
      jitter_ms: audio?.jitter != null ? Math.round(audio.jitter / 48) : video?.jitter != null ? Math.round(video.jitter / 90) : null,
      lostTotal,
      measured,
    };
    row.quality = linkQuality(row);
    rows[peer.peer_id] = row;
  }
  return rows;
}

/** A 3-level link badge: good | fair | poor (unknown before two polls). */
export function linkQuality(row) {
  if (!row) return 'unknown';
  if (row.state && row.state !== 'connected') return 'poor';
  if (!row.measured) return 'unknown';
  const loss = row.loss_pct ?? 0;
  const rtt = row.rtt_ms ?? 0;
  if (loss > 5 || rtt > 400) return 'poor';
  if (row.video && ((row.fps ?? 0) < 5 || (row.video_kbps ?? 0) < 60)) return 'poor';
  if (loss > 1 || rtt > 200) return 'fair';
  if (row.video && ((row.fps ?? 0) < 12 || (row.video_kbps ?? 0) < 150)) return 'fair';
  return 'good';
}

/** The state before joining. */
export function emptyConference() {
  return {
    status: 'off', // off | starting | live | recovering | failed
    error: null, // {code, message}: a refusal, or why the camera could not be opened
    place: null,
    my_publisher_id: null,
    publishers: [],
    floor_user_id: null,
    spotlight_user_id: null,
    active_speaker: null,
    downgraded: [],
    slots: [],
    remote: {}, // publisher id -> {video, audio} tracks received
    local: { video: null, audio: null }, // what this browser sends (self-view)
    camera: false, // wanted
    microphone: true, // wanted (a local mute)
    media_error: null, // camera/microphone could not be opened: {code, message}
    sending: 'off', // off | connecting | connected | failed
    receiving: 'off',
    screen: null, // the shared screen's track
    screen_state: 'off', // off | connecting | connected | failed
    screen_error: null,
    stats: {}, // chair: publisher id -> row (statsRows)
    stats_at: null,
    recoveries: 0, // how many times it joined again by itself
    ended: false, // the chair ended our connection: no publishing until rejoin()
    stopped: false, // we took our camera and microphone off the air: until resumeSending()
  };
}

function defaultRtc() {
  const g = globalThis;
  const devices = g.navigator?.mediaDevices;
  return {
    RTCPeerConnection: g.RTCPeerConnection,
    getUserMedia: devices?.getUserMedia ? (c) => devices.getUserMedia(c) : null,
    getDisplayMedia: devices?.getDisplayMedia ? (c) => devices.getDisplayMedia(c) : null,
  };
}

/** Resolve when ICE gathering is complete (or after `timeout`: send what we have). */
export function iceGathered(pc, timeout = GATHER_TIMEOUT_MS, timers = globalThis) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    let timer = null;
    const check = () => {
      if (pc.iceGatheringState !== 'complete') return;
      finish();
    };
    const finish = () => {
      pc.removeEventListener('icegatheringstatechange', check);
      timers.clearTimeout(timer);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', check);
    timer = timers.setTimeout(finish, timeout);
  });
}

function mediaErrorOf(err) {
  const name = err?.name || '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'media_denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'media_missing';
  if (name === 'NotReadableError' || name === 'AbortError') return 'media_busy';
  return 'media_failed';
}

// ---- the conference -----------------------------------------------------------------

/**
 * Join the conference of a meeting room.
 * @param {ReturnType<import('./meetingRoom.js').createMeetingRoom>} room
 * @param {{
 *   userId: number,
 *   camera?: boolean, microphone?: boolean, send?: boolean,
 *   rtc?: {RTCPeerConnection: any, getUserMedia: (c: any) => Promise<any>, getDisplayMedia?: (c: any) => Promise<any>},
 *   timers?: {setTimeout: Function, clearTimeout: Function, setInterval: Function, clearInterval: Function},
 *   gatherTimeout?: number, graceMs?: number, retryDelays?: number[], now?: () => number,
 *   log?: (msg: string, detail?: any) => void,
 * }} options  `send: false` only receives (a second screen of the hall).
 */
export function createConference(room, options = {}) {
  const {
    userId,
    send = true,
    rtc = defaultRtc(),
    timers = globalThis,
    gatherTimeout = GATHER_TIMEOUT_MS,
    graceMs = DISCONNECTED_GRACE_MS,
    slotGraceMs = UNNEGOTIATED_GRACE_MS,
    retryDelays = RETRY_DELAYS_MS,
    now = () => Date.now(),
    log = () => {},
  } = options;

  let state = { ...emptyConference(), camera: send && options.camera !== false, microphone: send && options.microphone !== false };
  const listeners = new Set();
  const set = (patch) => {
    state = { ...state, ...patch };
    listeners.forEach((fn) => fn(state));
  };

  let running = false;
  let generation = 0; // bumped by every (re)join: older async steps stop
  let joined = null; // promise of the current join's ack
  let iceServers = [];
  let sendPc = null;
  let recvPc = null;
  let recvSession = null;
  let screenPc = null;
  let tracksByMid = new Map();
  let offers = Promise.resolve(); // offers are answered one at a time, in order
  let retryTimer = null;
  let retryIndex = 0;
  let graceTimers = new Map();
  let statsTimer = null;
  let statsAt = null;
  let offs = [];
  let publishing = null; // the publish in flight
  let publishChain = Promise.resolve(); // publishes one at a time: the server keeps the last
  let everJoined = false;
  let pending = null; // what the retry timer will redo: 'join' | 'publish'
  let slotTimer = null; // watches slots that never get an m-line
  let answering = 0; // offers being answered now
  // our camera was listed on air since this socket's join: its disappearance means the chair
  // ended it (not a server restart, after which nobody is listed until we publish again)
  let onAirConfirmed = false;

  // ---- local media ------------------------------------------------------------------

  /** Open the camera and/or the microphone (what is wanted and not open yet). */
  async function openLocal({ video: wantVideo = state.camera && !state.local.video, audio: wantAudio = !state.local.audio } = {}) {
    if (!send || (!wantVideo && !wantAudio)) return;
    if (!rtc.getUserMedia) {
      set({ media_error: { code: 'media_unsupported', message: '' } });
      return;
    }
    const place = state.place || options.place || 'person';
    const video = wantVideo ? VIDEO_CONSTRAINTS[place] || VIDEO_CONSTRAINTS.person : false;
    const audio = wantAudio ? AUDIO_CONSTRAINTS : false;
    const tries = [{ video, audio }];
    if (video && audio) tries.push({ video: false, audio }, { video, audio: false });
    let stream = null;
    let error = null;
    for (const constraints of tries) {
      try {
        stream = await rtc.getUserMedia(constraints);
        break;
      } catch (err) {
        error = error || err;
        log('getUserMedia failed', err);
      }
    }
    if (!running) {
      stream?.getTracks().forEach((t) => t.stop());
      return;
    }
    const videoTrack = stream?.getVideoTracks?.()[0] || null;
    const audioTrack = stream?.getAudioTracks?.()[0] || null;
    if (audioTrack) audioTrack.enabled = state.microphone;
    const local = { video: videoTrack || state.local.video, audio: audioTrack || state.local.audio };
    const missing = (wantVideo && !videoTrack) || (wantAudio && !audioTrack);
    set({
      local,
      media_error: missing && error ? { code: mediaErrorOf(error), message: error.message || '' } : null,
    });
  }

  function stopLocal() {
    state.local.video?.stop?.();
    state.local.audio?.stop?.();
    if (state.local.video || state.local.audio) set({ local: { video: null, audio: null } });
  }

  // ---- joining ----------------------------------------------------------------------

  async function join(reason = 'start') {
    if (!running) return;
    const gen = ++generation;
    timers.clearTimeout(retryTimer);
    retryTimer = null;
    pending = null;
    onAirConfirmed = false;
    closeRecv();
    set({ status: everJoined ? 'recovering' : 'starting', slots: [], remote: {}, receiving: 'off' });
    joined = room.send('media.join');
    joined.catch(() => {}); // handled below; offers waiting on it just give up
    log('join', reason);
    let ack;
    try {
      ack = await joined;
    } catch (err) {
      if (gen !== generation || !running) return;
      fail(err);
      return;
    }
    if (gen !== generation || !running) return;
    iceServers = Array.isArray(ack.ice_servers) ? ack.ice_servers : [];
    const myId = publisherIdOf(ack.place, userId);
    set({
      place: ack.place,
      my_publisher_id: myId,
      publishers: ack.publishers || [],
      floor_user_id: ack.floor_user_id ?? null,
      spotlight_user_id: ack.spotlight_user_id ?? null,
      error: null,
    });
    try {
      const onAir = (ack.publishers || []).some((p) => p.publisher_id === myId);
      if (send && !state.ended && !state.stopped && (state.local.video || state.local.audio)) {
        const alive = sendPc && sendPc.connectionState === 'connected' && onAir;
        if (!alive) await publish(gen);
      }
      const screenId = publisherIdOf(ack.place, userId, true);
      const screenOnAir = (ack.publishers || []).some((p) => p.publisher_id === screenId);
      if (state.screen && !(screenPc && screenPc.connectionState === 'connected' && screenOnAir)) {
        await publishScreen(gen);
      }
    } catch (err) {
      if (gen !== generation || !running) return;
      fail(err);
      return;
    }
    if (gen !== generation || !running) return;
    set({ status: 'live', recoveries: everJoined ? state.recoveries + 1 : state.recoveries });
    everJoined = true;
  }

  function fail(err, what = 'join') {
    const code = err?.code || 'failed';
    log('conference step failed', err);
    if (FINAL_CODES.has(code)) {
      set({ status: 'failed', error: { code, message: err?.message || '' } });
      return;
    }
    set({ status: 'recovering', error: { code, message: err?.message || '' } });
    schedule(what);
  }

  /** Redo `what` ('join' or 'publish') after a growing delay; a join covers a publish. */
  function schedule(what) {
    if (!running) return;
    if (!room.connected) return; // the socket's 'connect' joins again
    if (what === 'join') pending = 'join';
    else pending = pending || what;
    if (retryTimer) return;
    const delay = retryDelays[Math.min(retryIndex, retryDelays.length - 1)];
    retryIndex += 1;
    retryTimer = timers.setTimeout(() => {
      retryTimer = null;
      const redo = pending;
      pending = null;
      if (redo === 'join') join('retry');
      else if (redo === 'publish') republish();
    }, delay);
  }

  function republish() {
    const gen = generation;
    return publish(gen).catch((err) => {
      if (gen === generation && running) fail(err, 'publish');
    });
  }

  // ---- sending ----------------------------------------------------------------------

  function newPc() {
    return new rtc.RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' });
  }

  function publish(gen) {
    const next = publishChain.then(() => publishNow(gen));
    publishChain = next.catch(() => {});
    return next;
  }

  async function publishNow(gen) {
    if (gen !== generation || !running || state.ended || state.stopped) return;
    const tracks = [state.local.audio, state.local.video].filter(Boolean);
    if (!tracks.length) return;
    const pc = newPc();
    set({ sending: 'connecting' });
    const maxBitrate = MAX_BITRATE[state.place] || MAX_BITRATE.person;
    for (const track of tracks) {
      const init = { direction: 'sendonly' };
      if (track.kind === 'video') init.sendEncodings = [{ maxBitrate }];
      pc.addTransceiver(track, init);
    }
    watch(pc, 'send');
    publishing = pc;
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await iceGathered(pc, gatherTimeout, timers);
      if (gen !== generation || !running) throw Object.assign(new Error('superseded'), { code: 'superseded' });
      const ack = await room.send('media.publish', { sdp: pc.localDescription.sdp });
      if (gen !== generation || !running) throw Object.assign(new Error('superseded'), { code: 'superseded' });
      await pc.setRemoteDescription({ type: 'answer', sdp: ack.sdp });
    } catch (err) {
      pc.close();
      if (publishing === pc) publishing = null;
      if (err?.code === 'superseded') return;
      set({ sending: 'failed' });
      throw err;
    }
    if (publishing === pc) publishing = null;
    const old = sendPc;
    sendPc = pc;
    old?.close();
    set({ sending: stateOf(pc) });
  }

  async function publishScreen(gen) {
    const track = state.screen;
    if (!track) return;
    const pc = newPc();
    set({ screen_state: 'connecting', screen_error: null });
    pc.addTransceiver(track, { direction: 'sendonly', sendEncodings: [{ maxBitrate: MAX_BITRATE.screen }] });
    watch(pc, 'screen');
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await iceGathered(pc, gatherTimeout, timers);
      if (gen !== generation || !running || state.screen !== track) throw Object.assign(new Error('superseded'), { code: 'superseded' });
      const ack = await room.send('media.publish', { sdp: pc.localDescription.sdp, screen: true });
      if (gen !== generation || !running || state.screen !== track) throw Object.assign(new Error('superseded'), { code: 'superseded' });
      await pc.setRemoteDescription({ type: 'answer', sdp: ack.sdp });
    } catch (err) {
      pc.close();
      if (err?.code === 'superseded') return;
      set({ screen_state: 'failed', screen_error: { code: err?.code || 'failed', message: err?.message || '' } });
      if (FINAL_CODES.has(err?.code)) {
        stopScreenTrack();
        return;
      }
      throw err;
    }
    const old = screenPc;
    screenPc = pc;
    old?.close();
    set({ screen_state: stateOf(pc) });
  }

  function stateOf(pc) {
    const s = pc.connectionState;
    if (s === 'connected') return 'connected';
    if (s === 'failed' || s === 'closed') return 'failed';
    return 'connecting';
  }

  /** Follow a connection: "failed", or "disconnected" for a while, makes it recover. */
  function watch(pc, role) {
    const key = role;
    pc.addEventListener('connectionstatechange', () => {
      const current = role === 'send' ? sendPc === pc || publishing === pc : role === 'recv' ? recvPc === pc : screenPc === pc;
      if (!current || !running) return;
      const s = pc.connectionState;
      log(`${role} connection ${s}`);
      const field = role === 'send' ? 'sending' : role === 'recv' ? 'receiving' : 'screen_state';
      set({ [field]: stateOf(pc) });
      timers.clearTimeout(graceTimers.get(key));
      graceTimers.delete(key);
      if (s === 'connected') {
        retryIndex = 0;
        return;
      }
      if (s === 'failed') recover(role);
      else if (s === 'disconnected') {
        graceTimers.set(
          key,
          timers.setTimeout(() => {
            graceTimers.delete(key);
            if (pc.connectionState === 'disconnected') recover(role);
          }, graceMs),
        );
      }
    });
  }

  function recover(role) {
    if (!running) return;
    log('recovering', role);
    if (role === 'recv') {
      schedule('join'); // a new connection from the relay comes with the next join
      return;
    }
    if (role === 'send') {
      if (state.ended || state.stopped) return;
      sendPc?.close();
      sendPc = null;
      set({ sending: 'failed' });
      schedule('publish');
      return;
    }
    // the shared screen alone: publish it again
    screenPc?.close();
    screenPc = null;
    const gen = generation;
    timers.setTimeout(() => {
      if (gen === generation && running && state.screen) publishScreen(gen).catch((err) => log('screen again failed', err));
    }, retryDelays[0]);
  }

  // ---- receiving --------------------------------------------------------------------

  function closeRecv() {
    recvPc?.close();
    recvPc = null;
    recvSession = null;
    tracksByMid = new Map();
  }

  function updateRemote() {
    set({ remote: remoteTracks(state.slots, tracksByMid) });
    watchSlots();
  }

  /**
   * A slot with a publisher but no m-line after our answer means an offer is due. The relay
   * may fail to send it (an offer asked for while another is still out is refused and not
   * asked for again); joining again gets a fresh connection whose offer has every slot.
   */
  function watchSlots() {
    const waiting = recvPc && !answering && state.slots.some((slot) => slot.publisher_id && slot.mid == null);
    if (!waiting) {
      timers.clearTimeout(slotTimer);
      slotTimer = null;
      return;
    }
    if (slotTimer) return;
    const gen = generation;
    slotTimer = timers.setTimeout(() => {
      slotTimer = null;
      if (gen !== generation || !running || answering) return;
      if (state.slots.some((slot) => slot.publisher_id && slot.mid == null)) {
        log('slots without an offer: joining again');
        schedule('join');
      }
    }, slotGraceMs);
  }

  function collectTracks(pc) {
    for (const transceiver of pc.getTransceivers?.() || []) {
      const track = transceiver.receiver?.track;
      if (transceiver.mid != null && track) tracksByMid.set(String(transceiver.mid), track);
    }
  }

  async function answer(sdp) {
    answering += 1;
    try {
      await answerNow(sdp);
    } finally {
      answering -= 1;
      watchSlots();
    }
  }

  async function answerNow(sdp) {
    let current;
    try {
      current = joined;
      await current;
    } catch {
      return; // that join failed; the next one brings its own offer
    }
    if (!running) return;
    const session = sdpIdentity(sdp);
    if (!recvPc || (session && session !== recvSession)) {
      // the relay made a new connection for us (a join): a new receiving side
      closeRecv();
      const pc = newPc();
      recvPc = pc;
      recvSession = session;
      pc.addEventListener('track', (e) => {
        if (recvPc !== pc) return;
        const mid = e.transceiver?.mid;
        if (mid != null) tracksByMid.set(String(mid), e.track);
        updateRemote();
      });
      watch(pc, 'recv');
      set({ receiving: 'connecting' });
    }
    const pc = recvPc;
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await iceGathered(pc, gatherTimeout, timers);
      if (pc !== recvPc) return;
      collectTracks(pc);
      updateRemote();
      log(`answering (${pc.localDescription.sdp.length} bytes)`, JSON.stringify([...tracksByMid].map(([mid, track]) => [mid, track.kind])));
      await room.send('media.answer', { sdp: pc.localDescription.sdp });
    } catch (err) {
      // an offer of a connection the server has already replaced: its successor's offer
      // follows; this receiving side is useless now
      log('answer failed', err);
      if (pc === recvPc) closeRecv();
      if (err?.code === 'timeout' || err?.code === 'not_connected') schedule('join');
    }
  }

  // ---- server events ----------------------------------------------------------------

  const handlers = {
    'media.offer': (p) => {
      if (!running || !p?.sdp) return;
      log('offer', sdpIdentity(p.sdp));
      timers.clearTimeout(slotTimer);
      slotTimer = null;
      offers = offers.then(() => answer(p.sdp)).catch((err) => log('offer failed', err));
    },
    'media.slots': (p) => {
      if (!running) return;
      log('slots', JSON.stringify(p?.slots));
      set({ slots: p?.slots || [] });
      updateRemote();
    },
    'media.publishers': (p) => {
      if (!running) return;
      const ids = new Set((p.publishers || []).map((x) => x.publisher_id));
      const mine = state.my_publisher_id;
      if (mine && ids.has(mine)) onAirConfirmed = true;
      else if (send && onAirConfirmed && !publishing && sendPc?.connectionState === 'connected') {
        // The server dropped our camera while our link is fine: the chair ended it
        // (media.end). Publishing again by ourselves would undo the chair's decision.
        onAirConfirmed = false;
        sendPc.close();
        sendPc = null;
        set({ ended: true, sending: 'off' });
      }
      set({
        publishers: p.publishers || [],
        floor_user_id: p.floor_user_id ?? null,
        spotlight_user_id: p.spotlight_user_id ?? null,
        active_speaker: ids.has(state.active_speaker) ? state.active_speaker : null,
        downgraded: state.downgraded.filter((id) => ids.has(id)),
      });
    },
    'media.ended': (p) => {
      // The chair ended one of our connections (sent to all of this user's screens).
      if (!running || !p?.publisher_id) return;
      log('ended by the chair', p.publisher_id);
      if (p.publisher_id === state.my_publisher_id) {
        onAirConfirmed = false;
        sendPc?.close();
        sendPc = null;
        publishing?.close();
        publishing = null;
        set({ ended: true, sending: 'off' });
      } else if (p.publisher_id === publisherIdOf(state.place, userId, true)) {
        stopScreenTrack();
      }
    },
    'media.upgraded': (p) => {
      log('upgraded', p?.publisher_id);
      if (running && p?.publisher_id) set({ downgraded: state.downgraded.filter((id) => id !== p.publisher_id) });
    },
    'media.active_speaker': (p) => {
      if (running) set({ active_speaker: p?.publisher_id ?? null });
    },
    'media.downgraded': (p) => {
      log('downgraded', p?.publisher_id);
      if (running && p?.publisher_id && !state.downgraded.includes(p.publisher_id)) {
        set({ downgraded: [...state.downgraded, p.publisher_id] });
      }
    },
    connect: () => {
      if (!running) return;
      retryIndex = 0;
      join('reconnect');
    },
    disconnect: () => {
      if (!running) return;
      onAirConfirmed = false;
      timers.clearTimeout(retryTimer);
      retryTimer = null;
      set({ status: 'recovering' });
    },
  };

  // ---- the chair's figures ----------------------------------------------------------

  async function pollStats() {
    const at = now();
    const ack = await room.send('media.stats');
    const seconds = statsAt ? Math.max(0.5, (at - statsAt) / 1000) : STATS_INTERVAL_MS / 1000;
    statsAt = at;
    const rows = statsRows(ack.peers, state.stats, seconds);
    set({ stats: rows, stats_at: at });
    return rows;
  }

  /** Stop sharing and tell the server (it would otherwise notice the closed connection). */
  function unshareScreen() {
    const wasShared = Boolean(screenPc);
    stopScreenTrack();
    if (wasShared && running && room.connected) {
      room.send('media.unpublish', { screen: true }).catch((err) => log('unpublish screen failed', err));
    }
  }

  function stopScreenTrack() {
    const track = state.screen;
    track?.stop?.();
    screenPc?.close();
    screenPc = null;
    set({ screen: null, screen_state: 'off' });
  }

  return {
    get state() {
      return state;
    },
    /** Listen to state changes. @returns {() => void} unsubscribe */
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /** Open the camera/microphone, join, publish; later reconnects are handled. */
    async start() {
      if (running) return;
      running = true;
      set({ status: 'starting', error: null });
      offs = Object.entries(handlers).map(([event, fn]) => room.on(event, fn));
      await openLocal();
      if (running && room.connected) await join('start');
      // else the socket's 'connect' joins
    },
    /** Leave: close every connection, stop the camera and the microphone. */
    stop() {
      running = false;
      generation += 1;
      offs.forEach((off) => off());
      offs = [];
      timers.clearTimeout(retryTimer);
      retryTimer = null;
      pending = null;
      timers.clearTimeout(slotTimer);
      slotTimer = null;
      graceTimers.forEach((timer) => timers.clearTimeout(timer));
      graceTimers = new Map();
      timers.clearInterval(statsTimer);
      statsTimer = null;
      sendPc?.close();
      sendPc = null;
      publishing?.close();
      publishing = null;
      closeRecv();
      stopScreenTrack();
      stopLocal();
      set({ status: 'off', sending: 'off', receiving: 'off', remote: {}, slots: [] });
    },
    /** Camera on or off (officials): the camera is opened or closed and published again. */
    async setCamera(on) {
      if (!send || on === state.camera) return;
      set({ camera: on });
      if (!running) return;
      if (on) await openLocal({ video: true, audio: false });
      else {
        state.local.video?.stop?.();
        set({ local: { ...state.local, video: null } });
      }
      if (running && everJoined && (state.local.video || state.local.audio)) await republish();
    },
    /** Microphone on or off in this browser (the server's mute is the chair's). */
    setMicrophone(on) {
      set({ microphone: on });
      if (state.local.audio) state.local.audio.enabled = on;
    },
    /** Share a screen (the chair or the current presenter): a second publisher. */
    async shareScreen() {
      if (!rtc.getDisplayMedia) throw Object.assign(new Error('no getDisplayMedia'), { code: 'media_unsupported' });
      const stream = await rtc.getDisplayMedia({ video: { frameRate: { ideal: 10, max: 15 } }, audio: false });
      const track = stream.getVideoTracks()[0];
      if (!track) return;
      track.addEventListener?.('ended', () => {
        if (state.screen === track) unshareScreen();
      });
      set({ screen: track, screen_error: null });
      if (running && everJoined) {
        try {
          await publishScreen(generation);
        } catch (err) {
          log('screen publish failed', err);
        }
      }
    },
    /** Stop sharing: the server takes the screen off the air at once. */
    stopScreen: unshareScreen,
    /** Take our camera and microphone off the air, staying in the meeting (still receiving). */
    async stopSending() {
      if (!send || state.stopped) return;
      onAirConfirmed = false; // our camera leaving the list is our doing, not the chair's
      sendPc?.close();
      sendPc = null;
      publishing?.close();
      publishing = null;
      stopLocal();
      set({ stopped: true, sending: 'off' });
      if (running && room.connected) await room.send('media.unpublish', { screen: false });
    },
    /** Send the camera and microphone again after stopSending(). */
    async resumeSending() {
      if (!send || !state.stopped) return;
      set({ stopped: false });
      if (!running) return;
      await openLocal();
      if (running && everJoined) await republish();
    },
    /** Chair: open or close a publisher's microphone. */
    mute: (publisherId, muted) => room.send('media.mute', { publisher_id: publisherId, muted }),
    /** Chair: a site's video to every screen (null: none). */
    spotlight: (publisherId) => room.send('media.spotlight', { publisher_id: publisherId }),
    /** Chair: end a site's connection. */
    end: (publisherId) => room.send('media.end', { publisher_id: publisherId }),
    /** Chair: read the link figures once. */
    pollStats,
    /** Chair: read them every `interval` ms until stop(). */
    startStats(interval = STATS_INTERVAL_MS) {
      timers.clearInterval(statsTimer);
      const tick = () => room.connected && running && pollStats().catch((err) => log('stats failed', err));
      tick();
      statsTimer = timers.setInterval(tick, interval);
    },
    stopStats() {
      timers.clearInterval(statsTimer);
      statsTimer = null;
    },
    /** Join (and publish) again now: the "reconnect" button, also after the chair ended us. */
    rejoin() {
      set({ ended: false });
      return join('manual');
    },
  };
}
