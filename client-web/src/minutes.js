// After the meeting: the minutes (biên bản) and the conclusion notice (thông báo
// kết luận) as the secretary edits them, who may do what with them, and the
// follow-up tasks (giao việc) made from their conclusions. DOM-free (tested in node).
//
// The content is storage/minutes/model.py as JSON: dates "2026-11-30", clock times
// "08:30", presence hall/online/absent. The editor changes it immutably (setIn) and
// sends it back whole; the server checks it (422 minutes_invalid with the bad path).

import { fold } from './meetings.js';

export const MINUTES_KINDS = ['minutes', 'notice'];
export const PRESENCES = ['hall', 'online', 'absent'];
export const TASK_STATUSES = ['open', 'in_progress', 'done'];

const AFTER = ['ended', 'archived'];
const TASKS_OPEN = ['in_progress', 'ended', 'archived'];

/**
 * What a user may do with a meeting's minutes and tasks, mirroring the server
 * (server/services/minutes/records.py, server/services/tasks.py).
 * @param {{status: string, my_roles: string[]}} meeting
 */
export function minutesRights(meeting) {
  const roles = meeting.my_roles || [];
  const organiser = roles.includes('organiser');
  const chair = roles.includes('chair');
  const after = AFTER.includes(meeting.status);
  return {
    after,
    // the editor: organisers edit (and draft it the first time), the chair reads and signs
    open: (organiser || chair) && after,
    edit: organiser && after,
    sign: chair && after,
    // everyone else sees the signed versions
    signedList: after,
    tasks: (organiser || chair) && TASKS_OPEN.includes(meeting.status),
    assign: organiser && TASKS_OPEN.includes(meeting.status),
  };
}

/**
 * A copy of `value` with the value at `path` (keys and indices) replaced; only the
 * objects and arrays on the path are copied.
 */
export function setIn(value, path, next) {
  if (path.length === 0) return next;
  const [key, ...rest] = path;
  const copy = Array.isArray(value) ? [...value] : { ...(value || {}) };
  copy[key] = setIn(copy[key], rest, next);
  return copy;
}

/** The value at `path`, or undefined. */
export function getIn(value, path) {
  return path.reduce((v, key) => (v == null ? undefined : v[key]), value);
}

/** A copy of the array at `path` without its element `index`. */
export function removeAt(value, path, index) {
  const list = getIn(value, path) || [];
  return setIn(value, path, list.filter((_, i) => i !== index));
}

/** A copy with `item` appended to the array at `path` (made when missing). */
export function appendAt(value, path, item) {
  return setIn(value, path, [...(getIn(value, path) || []), item]);
}

/** One line per entry (units of an assignment, the notice's recipients). */
export function listToText(list) {
  return (list || []).join('\n');
}

/** Lines to entries: trimmed, empty lines dropped. */
export function textToList(text) {
  return (text || '')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Equal content (what was saved vs what is in the form). */
export function sameContent(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A new, empty assignment (giao việc) of an agenda item. */
export function emptyAssignment() {
  return { task: '', units: [], due: null };
}

/** '' from an empty date input is "no date" (null) in the content. */
export function dateOrNull(value) {
  return value ? value : null;
}

/** "Đồng ý: 1 (Phạm Văn Đức) · Không đồng ý: 1 …"; names only for open votes. */
export function voteLine(vote) {
  return (vote.options || [])
    .map((o) => `${o.label}: ${o.count}${!vote.secret && o.names?.length ? ` (${o.names.join(', ')})` : ''}`)
    .join(' · ');
}

/**
 * The agenda item of each minutes item (the draft keeps titles, not ids): matched by
 * title, ignoring diacritics and case, each agenda item used once, in order.
 * @param {{title: string}[]} minutesItems
 * @param {{id: number, title: string, withdrawn?: boolean}[]} agendaItems
 * @returns {(number|null)[]}
 */
export function agendaLinks(minutesItems, agendaItems) {
  const free = (agendaItems || []).filter((a) => !a.withdrawn);
  const used = new Set();
  return (minutesItems || []).map((item) => {
    const wanted = fold(item.title).trim();
    const found = free.find((a) => !used.has(a.id) && fold(a.title).trim() === wanted);
    if (!found) return null;
    used.add(found.id);
    return found.id;
  });
}

/**
 * A unit by the name written in an assignment ("Phòng Văn hóa và Thông tin"):
 * the same name ignoring diacritics and case, else the only unit whose name contains it.
 * @returns {number|null}
 */
export function findUnit(units, name) {
  const wanted = fold(name).trim();
  if (!wanted) return null;
  const live = (units || []).filter((u) => !u.disabled);
  const exact = live.find((u) => fold(u.name).trim() === wanted);
  if (exact) return exact.id;
  const partial = live.filter((u) => fold(u.name).includes(wanted) || wanted.includes(fold(u.name)));
  return partial.length === 1 ? partial[0].id : null;
}

/**
 * The task form's first values from a conclusion and, if given, one of its assignments.
 * @param {{item?: {title: string, conclusion?: string}, assignment?: {task: string, units: string[], due: string|null}, agendaItemId?: number|null, units?: object[]}} from
 */
export function taskDraft({ item, assignment, agendaItemId = null, units = [] } = {}) {
  const conclusion = (item?.conclusion || '').trim();
  const title = (assignment?.task || '').trim() || firstSentence(conclusion) || item?.title || '';
  const unitId = assignment?.units?.length ? findUnit(units, assignment.units[0]) : null;
  return {
    title: title.slice(0, 500),
    detail: [item?.title, conclusion].filter(Boolean).join('\n\n').slice(0, 5000),
    due_on: assignment?.due || '',
    agenda_item_id: agendaItemId,
    assignee: 'unit', // unit | user
    assignee_unit_id: unitId,
    assignee_user_id: null,
  };
}

function firstSentence(text) {
  const found = /^(.+?[.!?])(\s|$)/.exec(text);
  return (found ? found[1] : text).trim().replace(/[;,:]$/, '');
}

/**
 * The body of POST /api/meetings/{id}/tasks from the form, or the i18n key of what is missing.
 * @returns {{body?: object, missing?: string}}
 */
export function taskBody(draft) {
  if (!draft.title.trim()) return { missing: 'tasks.missing.title' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.due_on || '')) return { missing: 'tasks.missing.due' };
  const byUnit = draft.assignee === 'unit';
  const who = byUnit ? draft.assignee_unit_id : draft.assignee_user_id;
  if (!who) return { missing: 'tasks.missing.assignee' };
  return {
    body: {
      title: draft.title.trim(),
      detail: (draft.detail || '').trim(),
      due_on: draft.due_on,
      agenda_item_id: draft.agenda_item_id || null,
      ...(byUnit ? { assignee_unit_id: who } : { assignee_user_id: who }),
    },
  };
}

/**
 * Whose a task is, for the tasks page: assigned to me, to my unit, or one I follow
 * (a meeting I organise or chair).
 * @returns {'mine'|'unit'|'followed'}
 */
export function taskGroup(task, user) {
  if (task.assignee_user_id === user.id) return 'mine';
  if (task.assignee_user_id == null && task.assignee_unit_id === user.unit_id) return 'unit';
  return 'followed';
}

/** Secretaries and chairs follow overdue tasks (the server lists what they may see). */
export function seesOverdue(user) {
  return Boolean(user?.roles?.some((r) => r === 'secretary' || r === 'chair'));
}

/** The signed versions of each kind, newest first. */
export function signedVersions(records) {
  const out = { minutes: [], notice: [] };
  for (const r of records || []) {
    if (r.status === 'signed' && out[r.kind]) out[r.kind].push(r);
  }
  for (const list of Object.values(out)) list.sort((a, b) => b.version - a.version);
  return out;
}

/** A file's name for a signed PDF: "bien-ban-v2.pdf" (the server sends the same). */
export function signedFileName(record) {
  return `${record.kind === 'minutes' ? 'bien-ban' : 'thong-bao-ket-luan'}-v${record.version}.pdf`;
}
