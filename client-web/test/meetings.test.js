import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canCreateMeeting, fold, isPostponed, meetingRights, siteChoices, splitNames } from '../src/meetings.js';

const meeting = (status, my_roles, my_invitation = null) => ({ status, my_roles, my_invitation });

test('secretaries and chairs create meetings; delegates, sites and admins do not', () => {
  assert.equal(canCreateMeeting({ roles: ['secretary', 'delegate'] }), true);
  assert.equal(canCreateMeeting({ roles: ['chair'] }), true);
  assert.equal(canCreateMeeting({ roles: ['delegate'] }), false);
  assert.equal(canCreateMeeting({ roles: ['admin'] }), false);
});

test('the lifecycle buttons follow the status and the role', () => {
  const draft = meetingRights(meeting('draft', ['organiser']));
  assert.equal(draft.publish, true);
  assert.equal(draft.start, false);
  assert.equal(draft.cancel, true);
  assert.equal(draft.postpone, false);
  const published = meetingRights(meeting('published', ['organiser']));
  assert.deepEqual([published.publish, published.postpone, published.start, published.cancel], [false, true, true, true]);
  const chair = meetingRights(meeting('published', ['chair']));
  assert.deepEqual([chair.start, chair.postpone, chair.seeAttendance, chair.editAgenda], [true, false, true, false]);
  const running = meetingRights(meeting('in_progress', ['organiser']));
  assert.deepEqual([running.end, running.editDetails, running.editAgenda, running.cancel], [true, false, true, false]);
  assert.equal(meetingRights(meeting('ended', ['organiser'])).archive, true);
  assert.equal(meetingRights(meeting('ended', ['chair'])).archive, false);
  const archived = meetingRights(meeting('archived', ['organiser']));
  assert.ok(!archived.editAgenda && !archived.invite && !archived.archive);
});

test('invitees answer only while the meeting is published or in progress', () => {
  const inv = { id: 1 };
  assert.equal(meetingRights(meeting('published', ['invitee'], inv)).answer, true);
  assert.equal(meetingRights(meeting('in_progress', ['invitee'], inv)).answer, true);
  assert.equal(meetingRights(meeting('ended', ['invitee'], inv)).answer, false);
  assert.equal(meetingRights(meeting('published', ['observer'])).answer, false);
  assert.equal(meetingRights(meeting('published', ['invitee'], inv)).seeAttendance, false);
});

test('a published meeting with a reason was postponed', () => {
  assert.equal(isPostponed({ status: 'published', status_reason: 'Trùng lịch' }), true);
  assert.equal(isPostponed({ status: 'cancelled', status_reason: 'Bão' }), false);
  assert.equal(isPostponed({ status: 'published', status_reason: null }), false);
});

test('attendee names: one per line or separated by semicolons', () => {
  assert.deepEqual(splitNames(' Nguyễn Văn A \n\nTrần Thị B; Lê C '), ['Nguyễn Văn A', 'Trần Thị B', 'Lê C']);
  assert.deepEqual(splitNames(''), []);
});

test('commune sites: communes and wards, enabled, sorted, invited ones marked', () => {
  const units = [
    { id: 1, name: 'Xã Vĩnh Hanh', kind: 'commune', disabled: false },
    { id: 2, name: 'Phòng Nội vụ', kind: 'department', disabled: false },
    { id: 3, name: 'Xã An Hòa', kind: 'commune', disabled: false },
    { id: 4, name: 'Phường 1', kind: 'ward', disabled: false },
    { id: 5, name: 'Xã cũ', kind: 'commune', disabled: true },
  ];
  const choices = siteChoices(units, [{ unit_id: 1 }]);
  assert.deepEqual(choices.map((c) => [c.unit.id, c.invited]), [[4, false], [3, false], [1, true]]);
});

test('fold strips Vietnamese diacritics and đ', () => {
  assert.equal(fold('Phạm Văn Đức'), 'pham van duc');
  assert.ok(fold('Phòng Văn hóa và Thông tin').includes('van hoa'));
});
