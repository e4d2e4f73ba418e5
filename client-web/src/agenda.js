// Agenda helpers (DOM-free): the tree of items, and the full order the server
// takes on PUT /api/meetings/:id/agenda/order.
//
// The server sends items in agenda order: each top-level item followed by its
// sub-items (one level of nesting).

/**
 * @typedef {object} AgendaItem
 * @property {number} id
 * @property {number|null} parent_id
 * @property {string} number "2" or "2.1"; "" when withdrawn
 * @property {boolean} withdrawn
 * @property {string|null} planned_start
 *
 * @typedef {{item: AgendaItem, children: AgendaItem[]}} AgendaNode
 * @typedef {{id: number, children: number[]}} OrderEntry
 */

/**
 * Top-level items with their sub-items, keeping the server's order. A sub-item
 * whose parent is missing is shown at the top level rather than dropped.
 * @param {AgendaItem[]} items
 * @returns {AgendaNode[]}
 */
export function agendaTree(items) {
  const tops = new Map();
  for (const item of items) {
    if (item.parent_id === null || item.parent_id === undefined) tops.set(item.id, { item, children: [] });
  }
  const tree = [];
  for (const item of items) {
    const node = tops.get(item.id);
    if (node) tree.push(node);
    else if (tops.has(item.parent_id)) tops.get(item.parent_id).children.push(item);
    else tree.push({ item, children: [] });
  }
  return tree;
}

/**
 * The order payload for a tree: every item exactly once.
 * @param {AgendaNode[]} tree
 * @returns {OrderEntry[]}
 */
export function orderOf(tree) {
  return tree.map(({ item, children }) => ({ id: item.id, children: children.map((c) => c.id) }));
}

function swap(list, index, delta) {
  const target = index + delta;
  if (index < 0 || target < 0 || target >= list.length) return null;
  const copy = [...list];
  [copy[index], copy[target]] = [copy[target], copy[index]];
  return copy;
}

/**
 * Move an item one place up (delta = -1) or down (+1) among its siblings; a
 * top-level item moves with its sub-items.
 * @param {AgendaItem[]} items the agenda as the server sent it
 * @param {number} id
 * @param {-1|1} delta
 * @returns {OrderEntry[]|null} the full new order, or null if it cannot move that way
 */
export function moveItem(items, id, delta) {
  const tree = agendaTree(items);
  const top = tree.findIndex((node) => node.item.id === id);
  if (top >= 0) {
    const moved = swap(tree, top, delta);
    return moved && orderOf(moved);
  }
  const parent = tree.find((node) => node.children.some((c) => c.id === id));
  if (!parent) return null;
  const children = swap(parent.children, parent.children.findIndex((c) => c.id === id), delta);
  if (!children) return null;
  return orderOf(tree.map((node) => (node === parent ? { item: node.item, children } : node)));
}

/** Whether moveItem(items, id, delta) would do something (for disabling buttons). */
export function canMove(items, id, delta) {
  return moveItem(items, id, delta) !== null;
}

/**
 * Minutes past the meeting's booked end that the agenda runs (0 when it fits).
 * @param {string} plannedEnd ISO time
 * @param {string} endsAt ISO time
 */
export function overrunMinutes(plannedEnd, endsAt) {
  return Math.max(0, Math.round((Date.parse(plannedEnd) - Date.parse(endsAt)) / 60000));
}
