import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flattenTree, subtreeIds } from '../src/units.js';

const unit = (id, name, parent_id = null) => ({ id, name, kind: 'other', code: `U${id}`, parent_id, disabled: false });

test('flattenTree handles any depth and sorts siblings by name', () => {
  const units = [unit(4, 'Thôn 2', 3), unit(1, 'Huyện'), unit(3, 'Xã B', 1), unit(2, 'Xã A', 1), unit(5, 'Tổ 1', 4)];
  assert.deepEqual(flattenTree(units).map(({ unit: u, depth }) => [u.id, depth]), [[1, 0], [2, 1], [3, 1], [4, 2], [5, 3]]);
});

test('flattenTree shows orphans and cycles at the top level, each unit once', () => {
  const units = [unit(1, 'A', 99), unit(2, 'B', 3), unit(3, 'C', 2)];
  const ids = flattenTree(units).map(({ unit: u }) => u.id).sort();
  assert.deepEqual(ids, [1, 2, 3]);
});

test('subtreeIds returns a unit and all its descendants', () => {
  const units = [unit(1, 'A'), unit(2, 'B', 1), unit(3, 'C', 2), unit(4, 'D')];
  assert.deepEqual([...subtreeIds(units, 1)].sort(), [1, 2, 3]);
});
