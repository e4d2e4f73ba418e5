import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RoomError,
  applyEvent,
  applySnapshot,
  createMeetingRoom,
  dropInQueue,
  emptyState,
  formatClock,
  itemSecondsUsed,
  moveInQueue,
  myQueuePosition,
  roomRights,
  secondsLeft,
  voteResults,
} from '../src/meetingRoom.js';

const SNAPSHOT = {
  meeting: { id: 7, title: 'Họp', status: 'in_progress', chair_id: 1 },
  my_roles: ['invitee'],
  version: 5,
  stage: { current_item_id: 11, item_started_at: '2026-12-01T01:00:00+00:00', document_id: 3, page: 2, presenter_id: 1, pointer: null },
  agenda: [
    { id: 11, number: '1', title: 'A', planned_minutes: 30, used: { seconds: 60, running_since: '2026-12-01T01:00:00+00:00' } },
    { id: 12, number: '2', title: 'B', planned_minutes: 45, used: { seconds: 0, running_since: null } },
  ],
  quorum: { reached: true },
  floor: { queue: [] },
  vote: null,
  last_vote: null,
  announcements: [{ id: 1, text: 'Xin chào', at: '2026-12-01T01:00:00+00:00' }],
};

/** A socket.io-like fake: records emits, answers acks from a handler, fires server events. */
function fakeSocket(answer = () => ({ ok: true })) {
  const handlers = new Map();
  const emitted = [];
  const socket = {
    connected: false,
    active: true,
    on(event, fn) {
      handlers.set(event, fn);
    },
    emit(event, ...args) {
      const ack = args.pop();
      emitted.push([event, args[0]]);
      const reply = answer(event, args[0]);
      if (reply !== undefined) queueMicrotask(() => ack(reply));
      else socket.pendingAck = ack;
    },
    disconnect() {
      socket.connected = false;
    },
    fire(event, payload) {
      handlers.get(event)?.(payload);
    },
    connect() {
      socket.connected = true;
      handlers.get('connect')();
    },
  };
  return { socket, emitted };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

test('events apply in order; a versioned event not newer than the state is ignored', () => {
  let s = applySnapshot(emptyState(), SNAPSHOT);
  assert.equal(s.ready, true);
  s = applyEvent(s, 'page.changed', { document_id: 3, page: 4, presenter_id: 1, version: 6 });
  assert.equal(s.stage.page, 4);
  assert.equal(s.version, 6);
  const same = applyEvent(s, 'page.changed', { document_id: 3, page: 1, presenter_id: 1, version: 6 });
  assert.equal(same, s); // stale
  s = applyEvent(s, 'pointer.moved', { x: 0.5, y: 0.25, document_id: 3, page: 4 });
  assert.deepEqual(s.stage.pointer, { x: 0.5, y: 0.25 });
  assert.equal(applyEvent(s, 'pointer.moved', { x: 0.1, y: 0.1, document_id: 3, page: 9 }), s);
  s = applyEvent(s, 'page.changed', { document_id: 3, page: 5, presenter_id: 1, version: 7 });
  assert.equal(s.stage.pointer, null); // a new page clears the pointer
});

test('agenda.current moves the running clock; meeting end stops it', () => {
  let s = applySnapshot(emptyState(), SNAPSHOT);
  s = applyEvent(s, 'agenda.current', { item_id: 12, title: 'B', started_at: '2026-12-01T01:10:00+00:00', planned_minutes: 45, presenter_id: null, version: 6 });
  assert.equal(s.stage.current_item_id, 12);
  assert.deepEqual(s.agenda[0].used, { seconds: 660, running_since: null });
  assert.equal(s.agenda[1].used.running_since, '2026-12-01T01:10:00+00:00');
  assert.equal(itemSecondsUsed(s.agenda[1], Date.parse('2026-12-01T01:12:00Z')), 120);
  s = applyEvent(s, 'meeting.status', { status: 'ended' }, '2026-12-01T01:20:00+00:00');
  assert.equal(s.meeting.status, 'ended');
  assert.deepEqual(s.agenda[1].used, { seconds: 600, running_since: null });
});

test('floor, votes, conclusions and announcements', () => {
  let s = applySnapshot(emptyState(), SNAPSHOT);
  const waiting = (id, user_id) => ({ id, user_id, name: `U${user_id}`, status: 'waiting' });
  s = applyEvent(s, 'floor.queue', { queue: [waiting(1, 20), waiting(2, 21)] });
  assert.deepEqual(myQueuePosition(s.floor.queue, 21).position, 2);
  s = applyEvent(s, 'floor.granted', { speaker: { ...waiting(1, 20), status: 'speaking', ends_at: '2026-12-01T01:03:00Z' } });
  assert.equal(s.floor.queue[0].status, 'speaking');
  assert.equal(myQueuePosition(s.floor.queue, 21).position, 1);
  s = applyEvent(s, 'floor.time_up', { speaker: s.floor.queue[0] });
  assert.equal(s.time_up.id, 1);
  s = applyEvent(s, 'floor.ended', { request_id: 1 });
  assert.equal(s.time_up, null);
  assert.deepEqual(s.floor.queue.map((r) => r.id), [2]);

  s = applyEvent(s, 'vote.opened', { id: 9, question: 'Q', options: ['Đồng ý', 'Không đồng ý'], cast: 0, eligible: 3, results: null });
  assert.equal(s.vote.my_ballot, null);
  s = applyEvent(s, 'vote.count', { vote_id: 9, cast: 2, eligible: 3 });
  s = applyEvent(s, 'vote.count', { vote_id: 9, cast: 1, eligible: 3 }); // late: never goes down
  assert.equal(s.vote.cast, 2);
  s = applyEvent(s, 'vote.closed', { id: 9, question: 'Q', options: ['Đồng ý', 'Không đồng ý'], cast: 3, eligible: 3, results: { 'Đồng ý': 2, 'Không đồng ý': 1 } });
  assert.equal(s.vote, null);
  assert.deepEqual(voteResults(s.last_vote), [
    { option: 'Đồng ý', count: 2, share: 66.7 },
    { option: 'Không đồng ý', count: 1, share: 33.3 },
  ]);

  s = applyEvent(s, 'conclusion.saved', { item_id: 11, text: 'Thống nhất' });
  assert.equal(s.conclusions['11'], 'Thống nhất');
  s = applyEvent(s, 'announcement', { id: 2, text: 'Nghỉ giải lao', at: '2026-12-01T02:00:00Z' });
  s = applyEvent(s, 'announcement', { id: 2, text: 'Nghỉ giải lao', at: '2026-12-01T02:00:00Z' });
  assert.deepEqual(s.announcements.map((a) => a.id), [2, 1]);
});

test('queue moves, clocks and rights', () => {
  assert.deepEqual(moveInQueue([1, 2, 3], 3, -1), [1, 3, 2]);
  assert.deepEqual(moveInQueue([1, 2, 3], 1, -1), [1, 2, 3]);
  assert.deepEqual(dropInQueue([1, 2, 3, 4], 1, 3), [2, 3, 1, 4]);
  assert.deepEqual(dropInQueue([1, 2, 3, 4], 4, 2), [1, 4, 2, 3]);
  assert.equal(formatClock(65), '01:05');
  assert.equal(formatClock(-5), '−00:05');
  assert.equal(formatClock(3725), '1:02:05');
  assert.equal(secondsLeft('2026-12-01T01:03:00Z', Date.parse('2026-12-01T01:00:30Z')), 150);
  const chair = roomRights(['chair'], 'in_progress');
  assert.equal(chair.present && chair.vote && !chair.speak && !chair.rollCall, true);
  const site = roomRights(['invitee'], 'published');
  assert.equal(site.speak && !site.vote && !site.present, true);
  const secretary = roomRights(['organiser'], 'ended');
  assert.equal(secretary.conclude && !secretary.rollCall && !secretary.start, true);
});

test('the room reads the snapshot on every connect, replays newer events, and turns acks into errors', async () => {
  let snapshots = 0;
  const { socket, emitted } = fakeSocket((event) => {
    if (event === 'snapshot') {
      snapshots += 1;
      return undefined; // answered by hand below
    }
    if (event === 'vote.cast') return { ok: false, error: { code: 'already_voted', message: 'Phiếu đã được ghi nhận' } };
    return { ok: true };
  });
  const room = createMeetingRoom(7, { connect: () => socket });
  const seen = [];
  room.subscribe((s) => seen.push(s.connection));
  socket.connect();
  assert.equal(room.state.connection, 'connected');
  // events that arrive while the snapshot is read: a newer page is kept, an older one is not
  socket.fire('page.changed', { document_id: 3, page: 9, presenter_id: 1, version: 6 });
  socket.fire('page.changed', { document_id: 3, page: 1, presenter_id: 1, version: 4 });
  socket.fire('floor.queue', { queue: [{ id: 99, status: 'waiting' }] });
  socket.pendingAck({ ok: true, ...SNAPSHOT });
  await tick();
  assert.equal(room.state.ready, true);
  assert.equal(room.state.stage.page, 9);
  assert.deepEqual(room.state.floor.queue, []);
  assert.equal(snapshots, 1);

  const err = await room.castVote(9, 'Đồng ý').catch((e) => e);
  assert.ok(err instanceof RoomError);
  assert.equal(err.code, 'already_voted');
  assert.equal(err.message, 'Phiếu đã được ghi nhận');
  await room.giveFloor(5, 300);
  assert.deepEqual(emitted.at(-1), ['floor.give', { request_id: 5, seconds: 300 }]);

  // a reconnect reads the snapshot again
  socket.fire('disconnect');
  assert.equal(room.state.connection, 'disconnected');
  socket.connect();
  socket.pendingAck({ ok: true, ...SNAPSHOT, version: 8, stage: { ...SNAPSHOT.stage, page: 6 } });
  await tick();
  assert.equal(snapshots, 2);
  assert.equal(room.state.stage.page, 6);

  // a refusal by the server is final
  socket.active = false;
  socket.fire('connect_error', { message: 'x', data: { code: 'meeting_not_found', message: 'Không tìm thấy' } });
  assert.equal(room.state.connection, 'refused');
  assert.equal(room.state.error.code, 'meeting_not_found');
  room.close();
  const closed = await room.endFloor().catch((e) => e);
  assert.equal(closed.code, 'room_closed');
});

test('a refusal that is the server\'s fault (internal_error) is tried again', async () => {
  const { socket } = fakeSocket();
  let connects = 0;
  socket.connect = () => {
    connects += 1;
  };
  const room = createMeetingRoom(7, { connect: () => socket, retryFirstMs: 1 });
  socket.active = false;
  socket.fire('connect_error', { message: 'x', data: { code: 'internal_error', message: 'Lỗi hệ thống' } });
  assert.equal(room.state.connection, 'disconnected');
  assert.equal(room.state.error, null);
  while (connects === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.equal(connects, 1);
  room.close();
});

test('an unanswered command times out; a disconnected room refuses at once', async () => {
  const { socket } = fakeSocket(() => undefined);
  const room = createMeetingRoom(7, { connect: () => socket, ackTimeout: 20 });
  const offline = await room.announce('x').catch((e) => e);
  assert.equal(offline.code, 'not_connected');
  socket.connected = true;
  const late = await room.announce('x').catch((e) => e);
  assert.equal(late.code, 'timeout');
  room.close();
});
