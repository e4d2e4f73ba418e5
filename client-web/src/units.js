// Organisation tree helpers (DOM-free). The server sends a flat list; the
// tree may have any depth, so nothing here assumes a fixed number of levels.

// Siblings are grouped by kind in this order, then sorted by name.
const KIND_ORDER = ['host', 'department', 'commune', 'ward', 'other'];
const collator = new Intl.Collator('vi', { numeric: true, sensitivity: 'base' });

/**
 * Flatten the units into display order (depth-first; siblings by kind, then name).
 * Units whose parent is missing are shown as roots; cycles are cut.
 * @param {import('./api.js').Unit[]} units
 * @returns {{unit: import('./api.js').Unit, depth: number}[]}
 */
export function flattenTree(units) {
  const byId = new Map(units.map((u) => [u.id, u]));
  const children = new Map();
  const roots = [];
  for (const unit of units) {
    const parent = unit.parent_id;
    if (parent === null || parent === undefined || !byId.has(parent) || parent === unit.id) {
      roots.push(unit);
    } else {
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(unit);
    }
  }
  const kindRank = (unit) => (KIND_ORDER.indexOf(unit.kind) + KIND_ORDER.length + 1) % (KIND_ORDER.length + 1);
  const bySiblingOrder = (a, b) => kindRank(a) - kindRank(b) || collator.compare(a.name, b.name);
  const out = [];
  const seen = new Set();
  const visit = (unit, depth) => {
    if (seen.has(unit.id)) return;
    seen.add(unit.id);
    out.push({ unit, depth });
    for (const child of (children.get(unit.id) || []).sort(bySiblingOrder)) visit(child, depth + 1);
  };
  roots.sort(bySiblingOrder).forEach((unit) => visit(unit, 0));
  // Units only reachable through a cycle: show them at the top level.
  for (const unit of units) if (!seen.has(unit.id)) visit(unit, 0);
  return out;
}

/**
 * Ids of a unit and everything below it (a unit cannot move under these).
 * @param {import('./api.js').Unit[]} units
 * @param {number} id
 * @returns {Set<number>}
 */
export function subtreeIds(units, id) {
  const children = new Map();
  for (const unit of units) {
    if (!children.has(unit.parent_id)) children.set(unit.parent_id, []);
    children.get(unit.parent_id).push(unit.id);
  }
  const result = new Set();
  const stack = [id];
  while (stack.length) {
    const current = stack.pop();
    if (result.has(current)) continue;
    result.add(current);
    stack.push(...(children.get(current) || []));
  }
  return result;
}
