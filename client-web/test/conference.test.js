import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createConference,
  hallPublisher,
  linkQuality,
  mainPublisher,
  pageOf,
  publisherIdOf,
  remoteTracks,
  sdpIdentity,
  sortTiles,
  statsRows,
  tileTitle,
} from '../src/conference.js';

// ---- fakes ------------------------------------------------------------------------------

let trackIds = 0;
function fakeTrack(kind) {
  return { kind, id: `${kind}-${++trackIds}`, enabled: true, stopped: false, stop() { this.stopped = true; } };
}

/** getUserMedia: a stream with the asked kinds; `refuse` lists kinds that fail. */
function fakeDevices({ refuse = [] } = {}) {
  const calls = [];
  return {
    calls,
    async getUserMedia(constraints) {
      calls.push(constraints);
      if ((constraints.video && refuse.includes('video')) || (constraints.audio && refuse.includes('audio'))) {
        throw Object.assign(new Error('no device'), { name: 'NotFoundError' });
      }
      const tracks = [constraints.audio && fakeTrack('audio'), constraints.video && fakeTrack('video')].filter(Boolean);
      return {
        getTracks: () => tracks,
        getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
        getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
      };
    },
  };
}

let sessions = 100;
/** Enough of RTCPeerConnection: descriptions, transceivers, gathering, state events. */
class FakePC {
  constructor(config) {
    this.config = config;
    this.session = String(++sessions);
    this.transceivers = [];
    this.listeners = {};
    this.connectionState = 'new';
    this.iceGatheringState = 'new';
    this.localDescription = null;
    this.remoteDescription = null;
    this.closed = false;
    FakePC.made.push(this);
  }
  addEventListener(name, fn) {
    (this.listeners[name] ||= []).push(fn);
  }
  removeEventListener(name, fn) {
    this.listeners[name] = (this.listeners[name] || []).filter((f) => f !== fn);
  }
  emit(name, event = {}) {
    for (const fn of [...(this.listeners[name] || [])]) fn(event);
  }
  addTransceiver(track, init) {
    const transceiver = { mid: String(this.transceivers.length), sender: { track }, receiver: { track: null }, direction: init.direction, init };
    this.transceivers.push(transceiver);
    return transceiver;
  }
  getTransceivers() {
    return this.transceivers;
  }
  async createOffer() {
    return { type: 'offer', sdp: `v=0\no=- ${this.session} 1 IN IP4 0.0.0.0\n${this.transceivers.map((t) => `m=${t.sender.track.kind}`).join('\n')}\na=candidate:host` };
  }
  async createAnswer() {
    return { type: 'answer', sdp: `v=0\no=- ${this.session} 1 IN IP4 0.0.0.0\nanswer` };
  }
  async setLocalDescription(description) {
    if (this.closed) throw new Error('closed');
    this.localDescription = description;
    if (this.iceGatheringState !== 'complete') {
      this.iceGatheringState = 'gathering';
      setTimeout(() => {
        this.iceGatheringState = 'complete';
        this.emit('icegatheringstatechange');
      }, 1);
    }
  }
  async setRemoteDescription(description) {
    if (this.closed) throw new Error('closed');
    this.remoteDescription = description;
    if (description.type !== 'offer') return;
    for (const [, kind, mid] of description.sdp.matchAll(/^m=(\w+) mid:(\S+)/gm)) {
      if (this.transceivers.some((t) => t.mid === mid)) continue;
      const transceiver = { mid, receiver: { track: fakeTrack(kind) }, sender: {}, direction: 'recvonly' };
      this.transceivers.push(transceiver);
      this.emit('track', { track: transceiver.receiver.track, transceiver });
    }
  }
  close() {
    this.closed = true;
    this.connectionState = 'closed';
  }
  setState(state) {
    this.connectionState = state;
    this.emit('connectionstatechange');
  }
}
FakePC.made = [];

/** The room's socket side: acks from `answer(event, payload)`, server events by fire(). */
function fakeRoom(answer) {
  const handlers = new Map();
  const sent = [];
  const room = {
    connected: true,
    sent,
    on(event, fn) {
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event).add(fn);
      return () => handlers.get(event).delete(fn);
    },
    send(event, payload) {
      sent.push([event, payload]);
      const reply = answer(event, payload);
      if (reply instanceof Error) return Promise.reject(reply);
      return Promise.resolve(reply);
    },
    fire(event, payload) {
      for (const fn of handlers.get(event) || []) fn(payload);
    },
  };
  return room;
}

function refusal(code) {
  return Object.assign(new Error(code), { code });
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check, what, ms = 1000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await tick(2);
  }
}

const ICE = [{ urls: ['turn:turn.example.vn:3478'], username: 'u', credential: 'c' }];
const SITE = { publisher_id: 's9', user_id: 9, name: 'Điểm cầu xã Vĩnh Hanh', unit_name: 'Xã Vĩnh Hanh', place: 'site', screen: false, muted: true };
const HALL = { publisher_id: 'h2', user_id: 2, name: 'Trần Văn Minh', unit_name: 'UBND huyện', place: 'hall', screen: false, muted: false };

function joinAck(extra = {}) {
  return { ok: true, place: 'site', ice_servers: ICE, publishers: [HALL], floor_user_id: null, spotlight_user_id: null, ...extra };
}

function setup({ answer, ...options } = {}) {
  FakePC.made = [];
  const devices = fakeDevices(options.devices);
  const room = fakeRoom(
    answer ||
      ((event) => {
        if (event === 'media.join') return joinAck();
        if (event === 'media.publish') return { ok: true, sdp: 'v=0\no=- 1 1 IN IP4 127.0.0.1\nanswer' };
        return { ok: true };
      }),
  );
  const conference = createConference(room, {
    userId: 9,
    rtc: { RTCPeerConnection: FakePC, getUserMedia: devices.getUserMedia, getDisplayMedia: null },
    retryDelays: [5],
    graceMs: 20,
    gatherTimeout: 200,
    ...options,
  });
  return { room, conference, devices };
}

// aiortc's o= line changes at every offer; its certificate (fingerprint) is one per connection
const relayOffer = (connection, lines) => `v=0\no=- ${++sessions} 2 IN IP4 127.0.0.1\na=fingerprint:sha-256 AA:${connection}\n${lines.join('\n')}\n`;

// ---- pure helpers ---------------------------------------------------------------------------

test('publisher ids and which connection an SDP comes from', () => {
  assert.equal(publisherIdOf('site', 9), 's9');
  assert.equal(publisherIdOf('hall', 2, true), 'h2:screen');
  assert.equal(publisherIdOf('person', 4), 'p4');
  assert.equal(publisherIdOf(null, 4), null);
  const offer = 'v=0\r\no=- 3970000001 3970000001 IN IP4 0.0.0.0\r\na=ice-ufrag:Ab12\r\na=fingerprint:sha-256 4F:1A:0C\r\n';
  assert.equal(sdpIdentity(offer), 'sha-256 4F:1A:0C');
  assert.equal(sdpIdentity('v=0\r\na=ice-ufrag:Ab12\r\n'), 'Ab12');
  assert.equal(sdpIdentity('v=0'), null);
});

test('slots map received tracks to publishers; idle slots are ignored', () => {
  const video = fakeTrack('video');
  const audio = fakeTrack('audio');
  const other = fakeTrack('video');
  const byMid = new Map([['0', video], ['1', audio], ['2', other]]);
  const slots = [
    { mid: '0', kind: 'video', publisher_id: 's9' },
    { mid: '1', kind: 'audio', publisher_id: 's9' },
    { mid: '2', kind: 'video', publisher_id: null },
    { mid: null, kind: 'video', publisher_id: 's10' }, // not negotiated yet
  ];
  assert.deepEqual(remoteTracks(slots, byMid), { s9: { video, audio } });
});

test('tiles: communes in Vietnamese order, then officials, then the hall; pages of 12', () => {
  const list = [
    HALL,
    { ...SITE, publisher_id: 's11', user_id: 11, unit_name: 'Xã Vĩnh Hanh' },
    { publisher_id: 'p5', user_id: 5, name: 'Phạm Văn Đức', unit_name: 'Phòng Nội vụ', place: 'person' },
    { ...SITE, publisher_id: 's12', user_id: 12, unit_name: 'Xã An Hòa' },
    { ...SITE, publisher_id: 's13', user_id: 13, unit_name: 'Xã Bình Hòa' },
  ];
  assert.deepEqual(sortTiles(list).map((p) => p.publisher_id), ['s12', 's13', 's11', 'p5', 'h2']);
  assert.equal(tileTitle(list[1]), 'Xã Vĩnh Hanh');
  assert.equal(tileTitle(list[2]), 'Phạm Văn Đức');
  const many = Array.from({ length: 25 }, (_, i) => i);
  assert.deepEqual(pageOf(many, 0), { items: many.slice(0, 12), page: 0, pages: 3 });
  assert.deepEqual(pageOf(many, 2).items, [24]);
  assert.equal(pageOf(many, 9).page, 2); // clamped
  assert.deepEqual(pageOf([], 3), { items: [], page: 0, pages: 1 });
});

test('the big picture: floor, else spotlight, else a shared screen; the hall prefers the chair', () => {
  const other = { ...SITE, publisher_id: 's10', user_id: 10 };
  const screen = { ...HALL, publisher_id: 'h2:screen', screen: true };
  const list = [HALL, SITE, other, screen];
  assert.equal(mainPublisher(list, 9, 10).publisher.publisher_id, 's9');
  assert.equal(mainPublisher(list, 9, 10).reason, 'floor');
  assert.equal(mainPublisher(list, null, 10).reason, 'spotlight');
  assert.equal(mainPublisher(list, null, null).publisher.publisher_id, 'h2:screen');
  assert.equal(mainPublisher(list, 9, null, ['s9']).reason, 'screen'); // one's own is never shown
  assert.equal(mainPublisher([HALL], null, null).publisher, null);
  const secretary = { ...HALL, publisher_id: 'h3', user_id: 3 };
  assert.equal(hallPublisher([secretary, HALL, screen], 2).publisher_id, 'h2');
  assert.equal(hallPublisher([secretary, SITE], 2).publisher_id, 'h3');
  assert.equal(hallPublisher([SITE], 2), null);
});

test('link figures and the 3-level badge from two stats polls', () => {
  const peers = (lost, fps = 15, bitrate = 450_000, state = 'connected') => [
    {
      peer_id: 's9',
      role: 'publisher',
      state,
      muted: true,
      audio_level: 127,
      label: { name: 'Điểm cầu xã Vĩnh Hanh' },
      tracks: [
        { kind: 'video', bitrate_bps: bitrate, fps, packets_lost: lost, fraction_lost: null, rtt_s: null, jitter: 900 },
        { kind: 'audio', bitrate_bps: 32_000, fps: 50, packets_lost: 0, fraction_lost: null, rtt_s: null, jitter: 96 },
      ],
    },
    { peer_id: 'v:abc', role: 'subscriber', state: 'connected', tracks: [] },
  ];
  const first = statsRows(peers(10), {}, 4);
  assert.deepEqual(Object.keys(first), ['s9']); // down links carry no name: left out
  assert.equal(first.s9.quality, 'unknown');
  assert.equal(first.s9.video_kbps, 450);
  assert.equal(first.s9.jitter_ms, 2);
  const steady = statsRows(peers(10), first, 4);
  assert.equal(steady.s9.loss_pct, 0);
  assert.equal(steady.s9.quality, 'good');
  // 4 s: 200 audio + ~205 video packets expected; 25 lost ≈ 5.8 % → poor
  assert.equal(statsRows(peers(35), steady, 4).s9.quality, 'poor');
  assert.equal(statsRows(peers(16), steady, 4).s9.quality, 'fair'); // ≈ 1.5 %
  assert.equal(statsRows(peers(10, 8), steady, 4).s9.quality, 'fair');
  assert.equal(statsRows(peers(10, 3), steady, 4).s9.quality, 'poor');
  assert.equal(statsRows(peers(10, 15, 100_000), steady, 4).s9.quality, 'fair');
  assert.equal(statsRows(peers(10, 15, 450_000, 'disconnected'), steady, 4).s9.quality, 'poor');
  assert.equal(linkQuality({ measured: true, state: 'connected', video: false, loss_pct: 0, rtt_ms: 450 }), 'poor');
  assert.equal(linkQuality(null), 'unknown');
});

// ---- the conference ---------------------------------------------------------------------------

test('joins, then publishes camera and microphone once ICE gathering is complete', async () => {
  const { room, conference, devices } = setup({ place: 'site' });
  await conference.start();
  assert.deepEqual(room.sent.map(([e]) => e), ['media.join', 'media.publish']);
  assert.equal(devices.calls.length, 1);
  assert.ok(devices.calls[0].video && devices.calls[0].audio);
  const pc = FakePC.made[0];
  assert.deepEqual(pc.config.iceServers, ICE); // from the join's ack, never a default
  assert.deepEqual(pc.transceivers.map((t) => [t.sender.track.kind, t.direction]), [['audio', 'sendonly'], ['video', 'sendonly']]);
  assert.equal(pc.iceGatheringState, 'complete'); // the offer waited for the candidates
  assert.match(room.sent[1][1].sdp, /a=candidate/);
  assert.equal(room.sent[1][1].screen, undefined);
  assert.equal(pc.remoteDescription.type, 'answer');
  const s = conference.state;
  assert.equal(s.status, 'live');
  assert.equal(s.place, 'site');
  assert.equal(s.my_publisher_id, 's9');
  assert.deepEqual(s.publishers, [HALL]);
  assert.equal(s.local.video.kind, 'video');
  conference.stop();
  assert.equal(pc.closed, true);
  assert.equal(s.local.video.stopped, true);
});

test('an offer that arrives before the join ack is answered after it, on a receive-only connection', async () => {
  let releaseJoin;
  const joinAcked = new Promise((resolve) => (releaseJoin = resolve));
  const { room, conference } = setup({
    answer: (event) => {
      if (event === 'media.join') return undefined;
      if (event === 'media.publish') return { ok: true, sdp: 'answer' };
      return { ok: true };
    },
  });
  room.send = (event, payload) => {
    room.sent.push([event, payload]);
    if (event === 'media.join') return joinAcked;
    return Promise.resolve(event === 'media.publish' ? { ok: true, sdp: 'answer' } : { ok: true });
  };
  const started = conference.start();
  await until(() => room.sent.length === 1, 'the join');
  room.fire('media.offer', { sdp: relayOffer(77, ['m=video mid:0', 'm=audio mid:1']) });
  await tick(10);
  assert.deepEqual(room.sent.map(([e]) => e), ['media.join']); // nothing before the ack
  releaseJoin(joinAck({ publishers: [HALL] }));
  await started;
  await until(() => room.sent.some(([e]) => e === 'media.answer'), 'the answer');
  const recv = FakePC.made.find((pc) => pc.remoteDescription?.type === 'offer');
  assert.deepEqual(recv.config.iceServers, ICE);
  assert.equal(recv.iceGatheringState, 'complete');
  // the relay says which m-line shows whom
  room.fire('media.slots', { slots: [{ mid: '0', kind: 'video', publisher_id: 'h2' }, { mid: '1', kind: 'audio', publisher_id: 'h2' }] });
  const remote = conference.state.remote.h2;
  assert.equal(remote.video, recv.transceivers[0].receiver.track);
  assert.equal(remote.audio.kind, 'audio');
  // a renegotiation (same certificate, a new o= line) stays on the same connection
  room.fire('media.offer', { sdp: relayOffer(77, ['m=video mid:0', 'm=audio mid:1', 'm=video mid:2']) });
  await until(() => room.sent.filter(([e]) => e === 'media.answer').length === 2, 'the second answer');
  assert.equal(FakePC.made.filter((pc) => pc.remoteDescription?.type === 'offer').length, 1);
  // a new certificate (the relay made a new connection) gets a new receiving side
  room.fire('media.offer', { sdp: relayOffer(78, ['m=video mid:0']) });
  await until(() => room.sent.filter(([e]) => e === 'media.answer').length === 3, 'the third answer');
  assert.equal(recv.closed, true);
  assert.equal(FakePC.made.filter((pc) => pc.remoteDescription?.type === 'offer').length, 2);
  conference.stop();
});

test('publishers, the active speaker and downgrades follow the server', async () => {
  const { room, conference } = setup();
  await conference.start();
  room.fire('media.publishers', { publishers: [HALL, SITE], floor_user_id: 9, spotlight_user_id: null });
  assert.equal(conference.state.floor_user_id, 9);
  room.fire('media.active_speaker', { publisher_id: 'h2' });
  room.fire('media.downgraded', { publisher_id: 'h2' });
  room.fire('media.downgraded', { publisher_id: 'h2' });
  assert.equal(conference.state.active_speaker, 'h2');
  assert.deepEqual(conference.state.downgraded, ['h2']);
  room.fire('media.publishers', { publishers: [SITE], floor_user_id: null, spotlight_user_id: null });
  assert.equal(conference.state.active_speaker, null); // the hall left
  assert.deepEqual(conference.state.downgraded, []);
  conference.stop();
});

test('a socket reconnect joins again; it publishes again unless its connection survived', async () => {
  let onAir = [HALL];
  const { room, conference } = setup({
    answer: (event) => {
      if (event === 'media.join') return joinAck({ publishers: onAir });
      if (event === 'media.publish') return { ok: true, sdp: 'answer' };
      return { ok: true };
    },
  });
  await conference.start();
  const first = FakePC.made[0];
  first.setState('connected');
  // the server restarted: our publisher is gone -> publish again
  room.connected = false;
  room.fire('disconnect');
  assert.equal(conference.state.status, 'recovering');
  room.connected = true;
  room.fire('connect');
  await until(() => room.sent.filter(([e]) => e === 'media.publish').length === 2, 'the second publish');
  await until(() => conference.state.status === 'live', 'live again');
  assert.equal(first.closed, true);
  assert.equal(conference.state.recoveries, 1);
  // a short socket drop while the media connection stays up: join again, no publish
  const second = FakePC.made.at(-1);
  second.setState('connected');
  onAir = [HALL, SITE];
  room.fire('disconnect');
  room.fire('connect');
  await until(() => room.sent.filter(([e]) => e === 'media.join').length === 3, 'the third join');
  await until(() => conference.state.status === 'live', 'live again');
  assert.equal(room.sent.filter(([e]) => e === 'media.publish').length, 2);
  conference.stop();
});

test('a sending connection that fails, or stays disconnected, is published again', async () => {
  const { room, conference } = setup();
  await conference.start();
  const first = FakePC.made[0];
  first.setState('connected');
  first.setState('failed');
  await until(() => room.sent.filter(([e]) => e === 'media.publish').length === 2, 'publish after failure');
  assert.equal(first.closed, true);
  const second = FakePC.made.at(-1);
  second.setState('connected');
  second.setState('disconnected');
  await tick(5);
  assert.equal(room.sent.filter(([e]) => e === 'media.publish').length, 2); // a short blip is tolerated
  await until(() => room.sent.filter(([e]) => e === 'media.publish').length === 3, 'publish after a long disconnect');
  conference.stop();
});

test('a receiving connection that fails makes it join again', async () => {
  const { room, conference } = setup();
  await conference.start();
  room.fire('media.offer', { sdp: relayOffer(5, ['m=video mid:0']) });
  await until(() => room.sent.some(([e]) => e === 'media.answer'), 'the answer');
  const recv = FakePC.made.find((pc) => pc.remoteDescription?.type === 'offer');
  recv.setState('failed');
  await until(() => room.sent.filter(([e]) => e === 'media.join').length === 2, 'a new join');
  assert.equal(recv.closed, true);
  conference.stop();
});

test('the chair ending our connection is not undone by the recovery', async () => {
  const { room, conference } = setup();
  await conference.start();
  FakePC.made[0].setState('connected');
  room.fire('media.publishers', { publishers: [HALL, SITE], floor_user_id: null, spotlight_user_id: null });
  room.fire('media.publishers', { publishers: [HALL], floor_user_id: null, spotlight_user_id: null });
  assert.equal(conference.state.ended, true);
  assert.equal(FakePC.made[0].closed, true);
  await tick(20);
  assert.equal(room.sent.filter(([e]) => e === 'media.publish').length, 1);
  await conference.rejoin();
  assert.equal(conference.state.ended, false);
  assert.equal(room.sent.filter(([e]) => e === 'media.publish').length, 2);
  conference.stop();
});

test('media.ended from the chair ends our camera even before the publishers list says so', async () => {
  const { room, conference } = setup();
  await conference.start();
  room.fire('media.ended', { publisher_id: 's4', by: 'chair' }); // someone else's: nothing
  assert.equal(conference.state.ended, false);
  room.fire('media.ended', { publisher_id: 's9', by: 'chair' });
  assert.equal(conference.state.ended, true);
  assert.equal(conference.state.sending, 'off');
  assert.equal(FakePC.made[0].closed, true);
  await tick(20);
  assert.equal(room.sent.filter(([e]) => e === 'media.publish').length, 1); // no republish
  conference.stop();
});

test('stopping our camera and microphone unpublishes without leaving; resuming publishes again', async () => {
  const { room, conference } = setup();
  await conference.start();
  FakePC.made[0].setState('connected');
  room.fire('media.publishers', { publishers: [HALL, SITE], floor_user_id: null, spotlight_user_id: null });
  await conference.stopSending();
  assert.deepEqual(room.sent.at(-1), ['media.unpublish', { screen: false }]);
  assert.equal(FakePC.made[0].closed, true);
  assert.equal(conference.state.local.video, null);
  room.fire('media.publishers', { publishers: [HALL], floor_user_id: null, spotlight_user_id: null });
  assert.equal(conference.state.ended, false); // our own doing, not the chair's
  assert.equal(conference.state.stopped, true);
  room.fire('connect'); // a reconnect does not publish again either
  await tick(20);
  assert.equal(room.sent.filter(([e]) => e === 'media.publish').length, 1);
  await conference.resumeSending();
  assert.equal(conference.state.stopped, false);
  assert.equal(room.sent.filter(([e]) => e === 'media.publish').length, 2);
  conference.stop();
});

test('after a server restart the missing camera is published again, not taken for an end', async () => {
  let onAir = [HALL];
  const { room, conference } = setup({
    answer: (event) => (event === 'media.join' ? joinAck({ publishers: onAir }) : { ok: true, sdp: 'answer' }),
  });
  await conference.start();
  FakePC.made[0].setState('connected');
  room.fire('media.publishers', { publishers: [HALL, SITE], floor_user_id: null, spotlight_user_id: null });
  // the server restarts: our old connection still looks fine for a while
  room.connected = false;
  room.fire('disconnect');
  room.connected = true;
  onAir = [HALL];
  room.fire('connect');
  room.fire('media.publishers', { publishers: [HALL], floor_user_id: null, spotlight_user_id: null });
  await until(() => room.sent.filter(([e]) => e === 'media.publish').length === 2, 'published again');
  assert.equal(conference.state.ended, false);
  conference.stop();
});

test('an official starts without a camera and turns it on and off (published again each time)', async () => {
  const { room, conference, devices } = setup({
    camera: false,
    place: 'person',
    answer: (event) => (event === 'media.join' ? joinAck({ place: 'person' }) : { ok: true, sdp: 'answer' }),
  });
  await conference.start();
  assert.equal(devices.calls[0].video, false);
  assert.deepEqual(FakePC.made[0].transceivers.map((t) => t.sender.track.kind), ['audio']);
  await conference.setCamera(true);
  assert.equal(devices.calls.at(-1).audio, false); // only the camera is opened
  const withCamera = FakePC.made.at(-1);
  assert.deepEqual(withCamera.transceivers.map((t) => t.sender.track.kind), ['audio', 'video']);
  assert.equal(FakePC.made[0].closed, true);
  const cameraTrack = conference.state.local.video;
  await conference.setCamera(false);
  assert.equal(cameraTrack.stopped, true);
  assert.deepEqual(FakePC.made.at(-1).transceivers.map((t) => t.sender.track.kind), ['audio']);
  assert.equal(room.sent.filter(([e]) => e === 'media.publish').length, 3);
  conference.setMicrophone(false);
  assert.equal(conference.state.local.audio.enabled, false);
  conference.stop();
});

test('without a camera it still sends the microphone and says why', async () => {
  const { room, conference } = setup({ devices: { refuse: ['video'] } });
  await conference.start();
  assert.equal(conference.state.local.video, null);
  assert.equal(conference.state.local.audio.kind, 'audio');
  assert.equal(conference.state.media_error.code, 'media_missing');
  assert.equal(room.sent.filter(([e]) => e === 'media.publish').length, 1);
  conference.stop();
});

test('a refused join is final; a timeout is retried', async () => {
  const refused = setup({ answer: () => refusal('meeting_forbidden') });
  await refused.conference.start();
  await tick(20);
  assert.equal(refused.conference.state.status, 'failed');
  assert.equal(refused.room.sent.length, 1);
  refused.conference.stop();

  let calls = 0;
  const flaky = setup({
    answer: (event) => {
      if (event === 'media.join' && ++calls === 1) return refusal('timeout');
      return event === 'media.join' ? joinAck() : { ok: true, sdp: 'answer' };
    },
  });
  await flaky.conference.start();
  assert.equal(flaky.conference.state.status, 'recovering');
  await until(() => flaky.conference.state.status === 'live', 'live after a retry');
  flaky.conference.stop();
});

test('the chair polls link figures and controls sites', async () => {
  const { room, conference } = setup({
    answer: (event) => {
      if (event === 'media.join') return joinAck({ place: 'hall' });
      if (event === 'media.stats') {
        return { ok: true, peers: [{ peer_id: 's9', role: 'publisher', state: 'connected', tracks: [{ kind: 'video', bitrate_bps: 400_000, fps: 15, packets_lost: 0 }] }] };
      }
      return { ok: true, sdp: 'answer' };
    },
  });
  await conference.start();
  await conference.pollStats();
  const rows = await conference.pollStats();
  assert.equal(rows.s9.quality, 'good');
  assert.equal(conference.state.stats.s9.video_kbps, 400);
  await conference.mute('s9', false);
  await conference.spotlight('s9');
  await conference.spotlight(null);
  await conference.end('s9');
  assert.deepEqual(room.sent.slice(-4), [
    ['media.mute', { publisher_id: 's9', muted: false }],
    ['media.spotlight', { publisher_id: 's9' }],
    ['media.spotlight', { publisher_id: null }],
    ['media.end', { publisher_id: 's9' }],
  ]);
  conference.stop();
});

test('a shared screen is a second publisher (screen: true)', async () => {
  FakePC.made = [];
  const screenTrack = fakeTrack('video');
  const room = fakeRoom((event) => (event === 'media.join' ? joinAck({ place: 'hall' }) : { ok: true, sdp: 'answer' }));
  const conference = createConference(room, {
    userId: 2,
    rtc: {
      RTCPeerConnection: FakePC,
      getUserMedia: fakeDevices().getUserMedia,
      getDisplayMedia: async () => ({ getVideoTracks: () => [screenTrack] }),
    },
    retryDelays: [5],
  });
  await conference.start();
  await conference.shareScreen();
  const publishes = room.sent.filter(([e]) => e === 'media.publish');
  assert.equal(publishes.length, 2);
  assert.equal(publishes[1][1].screen, true);
  assert.deepEqual(FakePC.made.at(-1).transceivers.map((t) => t.sender.track), [screenTrack]);
  assert.equal(conference.state.screen, screenTrack);
  conference.stopScreen();
  assert.equal(screenTrack.stopped, true);
  assert.equal(FakePC.made.at(-1).closed, true);
  assert.equal(conference.state.screen, null);
  assert.deepEqual(room.sent.at(-1), ['media.unpublish', { screen: true }]); // off the air at once
  conference.stop();
});

test('the chair ending our screen stops the share; upgrades lift the audio-only mark', async () => {
  FakePC.made = [];
  const screenTrack = fakeTrack('video');
  const room = fakeRoom((event) => (event === 'media.join' ? joinAck({ place: 'hall' }) : { ok: true, sdp: 'answer' }));
  const conference = createConference(room, {
    userId: 2,
    rtc: {
      RTCPeerConnection: FakePC,
      getUserMedia: fakeDevices().getUserMedia,
      getDisplayMedia: async () => ({ getVideoTracks: () => [screenTrack] }),
    },
    retryDelays: [5],
  });
  await conference.start();
  await conference.shareScreen();
  room.fire('media.ended', { publisher_id: 'h2:screen', by: 'chair' });
  assert.equal(conference.state.screen, null);
  assert.equal(screenTrack.stopped, true);
  assert.equal(conference.state.ended, false); // the camera stays
  room.fire('media.downgraded', { publisher_id: 's9' });
  assert.deepEqual(conference.state.downgraded, ['s9']);
  room.fire('media.upgraded', { publisher_id: 's9' });
  assert.deepEqual(conference.state.downgraded, []);
  conference.stop();
});

test('slots that never get an offer make it join again (a fresh connection offers them all)', async () => {
  const { room, conference } = setup({ slotGraceMs: 30 });
  await conference.start();
  room.fire('media.offer', { sdp: relayOffer(9, ['m=audio mid:0', 'm=video mid:1']) });
  await until(() => room.sent.some(([e]) => e === 'media.answer'), 'the answer');
  const slots = [
    { mid: '0', kind: 'audio', publisher_id: 's29' },
    { mid: '1', kind: 'video', publisher_id: 's29' },
    { mid: null, kind: 'audio', publisher_id: 's15' },
    { mid: null, kind: 'video', publisher_id: 's15' },
  ];
  // the usual case: the offer follows at once, nothing happens
  room.fire('media.slots', { slots });
  room.fire('media.offer', { sdp: relayOffer(9, ['m=audio mid:0', 'm=video mid:1', 'm=audio mid:2', 'm=video mid:3']) });
  room.fire('media.slots', { slots: slots.map((s, i) => ({ ...s, mid: String(i) })) });
  await tick(60);
  assert.equal(room.sent.filter(([e]) => e === 'media.join').length, 1);
  assert.ok(conference.state.remote.s15.video);
  // the relay's offer never comes
  room.fire('media.slots', { slots: [...slots.map((s, i) => ({ ...s, mid: String(i) })), { mid: null, kind: 'video', publisher_id: 's40' }] });
  await until(() => room.sent.filter(([e]) => e === 'media.join').length === 2, 'a new join');
  conference.stop();
});
