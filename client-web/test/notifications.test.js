import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setLang } from '../src/i18n.js';
import { notificationKind, notificationText } from '../src/notifications.js';

const invited = {
  id: 1,
  kind: 'meeting.invited',
  title: 'Giấy mời họp: Họp UBND',
  body: 'Kính mời tham dự “Họp UBND” lúc 08:00 ngày 05/12/2026 tại Hội trường.',
  params: { meeting: 'Họp UBND', starts_at: '2026-12-05T01:00:00+00:00', location: 'Hội trường' },
};

test('a notification is worded in the reader language from its params', () => {
  setLang('en');
  try {
    assert.deepEqual(notificationText(invited), {
      title: 'Meeting invitation: Họp UBND',
      body: 'You are invited to “Họp UBND” at 08:00, 05/12/2026 at Hội trường.',
    });
    assert.equal(notificationKind(invited), 'Meeting invitation');
  } finally {
    setLang('vi');
  }
  // In Vietnamese the client words it exactly as the server did.
  assert.deepEqual(notificationText(invited), { title: invited.title, body: invited.body });
});

test('changed fields, agenda changes, postponements and task dates are worded too', () => {
  setLang('en');
  try {
    const updated = { kind: 'meeting.updated', params: { meeting: 'M', starts_at: '2026-12-05T01:00:00Z', fields: 'starts_at,location,secret_field' } };
    assert.equal(notificationText(updated).body, 'Changed: start time, location. See the meeting page for details.');
    const agenda = { kind: 'meeting.agenda_changed', params: { meeting: 'M', change: 'withdrawn', item: 'Ngân sách' } };
    assert.equal(notificationText(agenda).body, 'The agenda changed: item “Ngân sách” withdrawn.');
    const postponed = {
      kind: 'meeting.postponed',
      params: { meeting: 'M', starts_at: '2026-12-06T02:30:00Z', previous_start: '2026-12-05T01:00:00Z', reason: 'bão' },
    };
    assert.equal(notificationText(postponed).body, 'The meeting moves from 08:00, 05/12/2026 to 09:30, 06/12/2026. Reason: bão');
    const task = { kind: 'task.reminder', params: { task: 'Báo cáo', due_on: '2026-12-10', meeting: 'M' } };
    assert.equal(notificationText(task).title, 'Task due on 10/12/2026: Báo cáo');
  } finally {
    setLang('vi');
  }
});

test('old notifications and unknown kinds keep the stored wording', () => {
  setLang('en');
  try {
    const old = { kind: 'meeting.invited', title: 'Giấy mời họp: X', body: 'Kính mời…', params: {} };
    assert.deepEqual(notificationText(old), { title: old.title, body: old.body });
    const unknown = { kind: 'future.kind', title: 'T', body: 'B', params: { meeting: 'X' } };
    assert.deepEqual(notificationText(unknown), { title: 'T', body: 'B' });
    assert.equal(notificationKind(unknown), 'Notification');
    const badVariant = { kind: 'meeting.agenda_changed', title: 'T', body: 'B', params: { change: 'nope' } };
    assert.deepEqual(notificationText(badVariant), { title: 'T', body: 'B' });
  } finally {
    setLang('vi');
  }
});
