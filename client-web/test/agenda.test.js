import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agendaTree, canMove, moveItem, orderOf, overrunMinutes } from '../src/agenda.js';

const item = (id, parent_id = null, withdrawn = false) => ({ id, parent_id, withdrawn, number: '', planned_start: null });
// 1, 2 (2.1 = 4, 2.2 = 5), 3 — as the server sends it
const AGENDA = [item(1), item(2), item(4, 2), item(5, 2), item(3)];

test('the tree keeps the server order and nests sub-items under their parent', () => {
  const tree = agendaTree(AGENDA);
  assert.deepEqual(tree.map((n) => n.item.id), [1, 2, 3]);
  assert.deepEqual(tree[1].children.map((c) => c.id), [4, 5]);
  assert.deepEqual(orderOf(tree), [
    { id: 1, children: [] },
    { id: 2, children: [4, 5] },
    { id: 3, children: [] },
  ]);
});

test('an orphan sub-item is kept at the top level (every item must be sent)', () => {
  const tree = agendaTree([item(1), item(9, 42)]);
  assert.deepEqual(orderOf(tree), [{ id: 1, children: [] }, { id: 9, children: [] }]);
});

test('moving a top-level item takes its sub-items along; the full order is sent', () => {
  assert.deepEqual(moveItem(AGENDA, 2, -1), [
    { id: 2, children: [4, 5] },
    { id: 1, children: [] },
    { id: 3, children: [] },
  ]);
  assert.deepEqual(moveItem(AGENDA, 3, -1), [
    { id: 1, children: [] },
    { id: 3, children: [] },
    { id: 2, children: [4, 5] },
  ]);
});

test('a sub-item moves among its siblings only', () => {
  assert.deepEqual(moveItem(AGENDA, 5, -1), [
    { id: 1, children: [] },
    { id: 2, children: [5, 4] },
    { id: 3, children: [] },
  ]);
  assert.equal(moveItem(AGENDA, 4, -1), null);
  assert.equal(moveItem(AGENDA, 5, 1), null);
});

test('the first item cannot go up nor the last down; unknown ids do nothing', () => {
  assert.equal(canMove(AGENDA, 1, -1), false);
  assert.equal(canMove(AGENDA, 3, 1), false);
  assert.equal(canMove(AGENDA, 1, 1), true);
  assert.equal(moveItem(AGENDA, 99, 1), null);
});

test('withdrawn items stay in the order (the server wants every item once)', () => {
  const agenda = [item(1), item(2, null, true), item(3)];
  const order = moveItem(agenda, 3, -1);
  assert.deepEqual(order.map((e) => e.id), [1, 3, 2]);
});

test('overrun: minutes the agenda runs past the booked end', () => {
  assert.equal(overrunMinutes('2026-12-05T04:30:00Z', '2026-12-05T04:00:00Z'), 30);
  assert.equal(overrunMinutes('2026-12-05T03:30:00Z', '2026-12-05T04:00:00Z'), 0);
});
