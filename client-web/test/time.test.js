import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addDays,
  addMonths,
  dayKey,
  formatDate,
  formatDateTime,
  formatRange,
  formatTime,
  meetingDays,
  monthGrid,
  tabRange,
  vnToIso,
  weekStart,
  weekday,
  weekdayName,
} from '../src/time.js';

test('UTC times from the server are shown in Vietnam time (UTC+7)', () => {
  assert.equal(formatTime('2026-12-05T01:00:00Z'), '08:00');
  assert.equal(formatTime('2026-12-05T01:00:00+00:00'), '08:00');
  assert.equal(formatDate('2026-12-05T01:00:00Z'), '05/12/2026');
  // 17:30 UTC is already the next day in Vietnam
  assert.equal(dayKey('2026-12-31T17:30:00Z'), '2027-01-01');
  assert.equal(formatTime('2026-12-31T17:30:00Z'), '00:30');
  assert.equal(formatDateTime('2026-12-05T01:00:00Z'), '08:00 ngày 05/12/2026');
});

test('a same-day range is written once; a range over two days in full', () => {
  assert.equal(formatRange('2026-12-05T01:00:00Z', '2026-12-05T04:00:00Z'), '08:00 – 11:00 ngày 05/12/2026');
  assert.equal(
    formatRange('2026-12-05T01:00:00Z', '2026-12-06T04:00:00Z'),
    '08:00 ngày 05/12/2026 – 11:00 ngày 06/12/2026',
  );
});

test('typed Vietnam date and time are sent with an explicit +07:00 offset', () => {
  assert.equal(vnToIso('2026-12-05', '08:00'), '2026-12-05T08:00:00+07:00');
  assert.equal(vnToIso('2026-12-05', '08:00:00'), '2026-12-05T08:00:00+07:00');
  assert.equal(Date.parse(vnToIso('2026-12-05', '08:00')), Date.parse('2026-12-05T01:00:00Z'));
  assert.equal(vnToIso('', '08:00'), null);
  assert.equal(vnToIso('2026-12-05', '25:00'), null);
  // round trip: what the form shows is what was typed
  const sent = vnToIso('2026-03-01', '23:45');
  assert.equal(dayKey(sent), '2026-03-01');
  assert.equal(formatTime(sent), '23:45');
});

test('day arithmetic: weeks start on Monday, months clamp, grids cover the month', () => {
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  assert.equal(weekday('2026-12-07'), 0); // a Monday
  assert.equal(weekday('2026-12-06'), 6); // a Sunday
  assert.equal(weekdayName('2026-12-05'), 'Thứ Bảy');
  assert.equal(weekStart('2026-12-06'), '2026-11-30');
  assert.equal(addMonths('2026-01-31', 1), '2026-02-28');
  assert.equal(addMonths('2026-01-15', -1), '2025-12-15');
  const grid = monthGrid('2026-12-17');
  assert.equal(grid[0][0], '2026-11-30');
  assert.ok(grid.every((week) => week.length === 7));
  assert.ok(grid.flat().includes('2026-12-31'));
  assert.equal(grid.at(-1)[6], '2027-01-03');
  assert.equal(monthGrid('2021-02-10').length, 4); // February 2021 starts on a Monday
});

test('a meeting is placed on each Vietnam day it touches', () => {
  assert.deepEqual(meetingDays({ starts_at: '2026-12-05T01:00:00Z', ends_at: '2026-12-05T04:00:00Z' }), ['2026-12-05']);
  assert.deepEqual(meetingDays({ starts_at: '2026-12-05T01:00:00Z', ends_at: '2026-12-06T17:30:00Z' }), ['2026-12-05', '2026-12-06', '2026-12-07']);
  // ends exactly at midnight: not on the next day
  assert.deepEqual(meetingDays({ starts_at: '2026-12-05T10:00:00Z', ends_at: '2026-12-05T17:00:00Z' }), ['2026-12-05']);
});

test('the tabs of "my meetings" ask for Vietnam days', () => {
  const now = new Date('2026-12-04T18:00:00Z'); // 01:00 on 5 December in Vietnam
  assert.deepEqual(tabRange('today', now), { from: '2026-12-05T00:00:00+07:00', to: '2026-12-06T00:00:00+07:00' });
  assert.deepEqual(tabRange('upcoming', now), { from: '2026-12-06T00:00:00+07:00' });
  assert.deepEqual(tabRange('past', now), { to: '2026-12-05T00:00:00+07:00' });
});
