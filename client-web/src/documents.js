// Meeting documents without the DOM: grouping per agenda item, what a user may
// do, sizes, the viewer's zoom and page arithmetic, and a diacritics-insensitive
// search over the page texts PDF.js extracts. The server still decides.

import { fold } from './meetings.js';

export const CONFIDENTIALITY = ['normal', 'restricted', 'secret'];

/** Office files the server converts, and PDF; `accept` for the file input. */
export const ACCEPT = '.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,application/pdf';

/**
 * What the user may do with a meeting's documents (mirrors server DOCUMENT_RULES).
 * @param {{my_roles: string[], status: string}} meeting
 */
export function documentRights(meeting) {
  const roles = meeting.my_roles || [];
  const organiser = roles.includes('organiser');
  const runner = organiser || roles.includes('chair');
  const open = !['archived', 'cancelled'].includes(meeting.status);
  return {
    manage: organiser && open,
    oversee: runner,
    comment: roles.includes('invitee') || roles.includes('substitute'),
  };
}

/**
 * Documents grouped under their agenda items (agenda order), then the meeting-wide ones.
 * Withdrawn documents are left out unless `withWithdrawn`.
 * @param {{agenda_item_id: number|null, withdrawn: boolean}[]} documents
 * @param {{id: number, number: string, title: string, withdrawn?: boolean}[]} items the agenda, in order
 * @returns {{item: object|null, documents: object[]}[]} only groups that have documents
 */
export function groupByAgenda(documents, items, { withWithdrawn = false } = {}) {
  const shown = documents.filter((d) => withWithdrawn || !d.withdrawn);
  const known = new Set(items.map((i) => i.id));
  const groups = items.map((item) => ({ item, documents: shown.filter((d) => d.agenda_item_id === item.id) }));
  groups.push({ item: null, documents: shown.filter((d) => d.agenda_item_id === null || !known.has(d.agenda_item_id)) });
  return groups.filter((g) => g.documents.length > 0);
}

/**
 * The current agenda item's documents first, the others after (order kept).
 * @template {{agenda_item_id: number|null}} D
 * @param {D[]} documents
 * @param {number|null} itemId
 * @returns {D[]}
 */
export function currentFirst(documents, itemId) {
  if (itemId === null || itemId === undefined) return documents;
  return [...documents.filter((d) => d.agenda_item_id === itemId), ...documents.filter((d) => d.agenda_item_id !== itemId)];
}

/** A byte count for people: "820 KB", "4,2 MB" (Vietnamese decimal comma). */
export function formatSize(bytes, lang = 'vi') {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i += 1;
  }
  const digits = i === 0 || value >= 10 ? 0 : 1;
  return `${value.toLocaleString(lang === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: digits })} ${units[i]}`;
}

/** A title from a file name: without the extension, underscores as spaces. */
export function titleFromFileName(name) {
  return (name || '').replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[_]+/g, ' ').trim();
}

/** Upload progress as a whole percentage (0–100). */
export function percent(loaded, total) {
  if (!total) return 0;
  return Math.max(0, Math.min(100, Math.round((loaded / total) * 100)));
}

// ---- viewer arithmetic ------------------------------------------------------

export const ZOOM_STEPS = [0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3];
/** PDF points (1/72 in) to CSS pixels (1/96 in). */
export const PDF_TO_CSS = 96 / 72;

/** A page number kept inside 1..pages (pages unknown: at least 1). */
export function clampPage(page, pages) {
  const n = Math.floor(Number(page));
  if (!Number.isFinite(n) || n < 1) return 1;
  return pages ? Math.min(n, pages) : n;
}

/** The next zoom step up (+1) or down (-1) from the current scale. */
export function stepZoom(scale, direction) {
  if (direction > 0) return ZOOM_STEPS.find((s) => s > scale + 0.001) ?? ZOOM_STEPS[ZOOM_STEPS.length - 1];
  return [...ZOOM_STEPS].reverse().find((s) => s < scale - 0.001) ?? ZOOM_STEPS[0];
}

/**
 * The scale at which a page of `pageWidth` PDF points fills `containerWidth` CSS pixels.
 * @returns {number}
 */
export function fitWidthScale(pageWidth, containerWidth, margin = 16) {
  if (!pageWidth || !containerWidth) return 1;
  return Math.max(0.1, (containerWidth - margin) / (pageWidth * PDF_TO_CSS));
}

/** Tablets (touch, or a narrow screen) open documents fitted to the width. */
export function prefersFitWidth({ width, coarsePointer }) {
  return Boolean(coarsePointer) || width <= 1100;
}

/**
 * Find `query` in page texts, ignoring case and Vietnamese diacritics.
 * @param {string[]} pageTexts one string per page (index 0 = page 1)
 * @param {string} query
 * @param {{context?: number, limit?: number}} [options]
 * @returns {{page: number, snippet: string}[]} one hit per occurrence, in page order
 */
export function findInPages(pageTexts, query, { context = 40, limit = 200 } = {}) {
  const needle = fold(query).replace(/\s+/g, ' ').trim();
  if (!needle) return [];
  const hits = [];
  pageTexts.forEach((raw, index) => {
    // fold() keeps one character per character for Vietnamese (NFD marks are dropped
    // after composing), so positions in the folded text match the NFC original.
    const text = (raw || '').normalize('NFC').replace(/\s+/g, ' ');
    const folded = foldKeepLength(text);
    let from = 0;
    while (hits.length < limit) {
      const at = folded.indexOf(needle, from);
      if (at < 0) break;
      const start = Math.max(0, at - context);
      const end = Math.min(text.length, at + needle.length + context);
      hits.push({
        page: index + 1,
        snippet: `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`,
      });
      from = at + needle.length;
    }
  });
  return hits;
}

/** fold() one character at a time, so the result has the input's length. */
function foldKeepLength(text) {
  let out = '';
  for (const ch of text) {
    const f = fold(ch);
    out += f.length === ch.length ? f : ch.toLowerCase();
  }
  return out;
}

/** Notes of one page first (newest first), for the notes panel. */
export function notesOfPage(notes, page) {
  return notes
    .filter((n) => n.page === page)
    .sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0));
}

/**
 * The opinion round of a document, per unit: who answered, who did not.
 * @param {{units: {unit_id: number, unit_name: string, answered: boolean}[], comments: {unit_name: string}[]}} data
 */
export function opinionSummary(data) {
  const units = data?.units || [];
  const answered = units.filter((u) => u.answered);
  const byUnit = new Map();
  for (const c of data?.comments || []) {
    if (!byUnit.has(c.unit_name)) byUnit.set(c.unit_name, []);
    byUnit.get(c.unit_name).push(c);
  }
  return {
    total: units.length,
    answered: answered.length,
    missing: units.filter((u) => !u.answered),
    byUnit: [...byUnit.entries()].map(([unit, comments]) => ({ unit, comments })),
  };
}
