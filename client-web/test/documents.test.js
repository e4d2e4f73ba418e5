import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clampPage,
  currentFirst,
  documentRights,
  findInPages,
  fitWidthScale,
  formatSize,
  groupByAgenda,
  notesOfPage,
  opinionSummary,
  percent,
  prefersFitWidth,
  stepZoom,
  titleFromFileName,
} from '../src/documents.js';

const items = [
  { id: 1, number: '1', title: 'Kinh tế' },
  { id: 2, number: '2', title: 'Đầu tư công' },
];
const doc = (id, agenda_item_id, extra = {}) => ({ id, agenda_item_id, withdrawn: false, ...extra });

test('documents are grouped under their agenda items, in agenda order, then the meeting-wide ones', () => {
  const groups = groupByAgenda([doc(10, null), doc(11, 2), doc(12, 1), doc(13, 2, { withdrawn: true }), doc(14, 99)], items);
  assert.deepEqual(groups.map((g) => [g.item?.id ?? null, g.documents.map((d) => d.id)]), [
    [1, [12]],
    [2, [11]],
    [null, [10, 14]], // an item that is gone: with the meeting-wide ones
  ]);
  const all = groupByAgenda([doc(13, 2, { withdrawn: true })], items, { withWithdrawn: true });
  assert.deepEqual(all[0].documents.map((d) => d.id), [13]);
});

test('the current item\'s documents come first', () => {
  const list = [doc(1, 1), doc(2, 2), doc(3, null), doc(4, 2)];
  assert.deepEqual(currentFirst(list, 2).map((d) => d.id), [2, 4, 1, 3]);
  assert.equal(currentFirst(list, null), list);
});

test('rights mirror the server: organisers manage, runners oversee, participants comment', () => {
  assert.deepEqual(documentRights({ my_roles: ['organiser'], status: 'published' }), { manage: true, oversee: true, comment: false });
  assert.deepEqual(documentRights({ my_roles: ['chair'], status: 'published' }), { manage: false, oversee: true, comment: false });
  assert.deepEqual(documentRights({ my_roles: ['invitee'], status: 'in_progress' }), { manage: false, oversee: false, comment: true });
  assert.equal(documentRights({ my_roles: ['organiser'], status: 'archived' }).manage, false);
});

test('sizes, titles and progress for the upload panel', () => {
  assert.equal(formatSize(512), '512 B');
  assert.equal(formatSize(1536), '1,5 KB');
  assert.equal(formatSize(4.25 * 1024 * 1024, 'en'), '4.3 MB');
  assert.equal(formatSize(20 * 1024 * 1024), '20 MB');
  assert.equal(titleFromFileName('Bao_cao_quy_IV.docx'), 'Bao cao quy IV');
  assert.equal(titleFromFileName('Kế hoạch 2027.pdf'), 'Kế hoạch 2027');
  assert.equal(percent(50, 200), 25);
  assert.equal(percent(5, 0), 0);
  assert.equal(percent(300, 200), 100);
});

test('page and zoom arithmetic', () => {
  assert.equal(clampPage('3', 5), 3);
  assert.equal(clampPage(9, 5), 5);
  assert.equal(clampPage('abc', 5), 1);
  assert.equal(clampPage(0, 0), 1);
  assert.equal(stepZoom(1, 1), 1.1);
  assert.equal(stepZoom(1, -1), 0.9);
  assert.equal(stepZoom(0.85, 1), 0.9); // from a fitted scale to the next step
  assert.equal(stepZoom(3, 1), 3);
  assert.equal(stepZoom(0.5, -1), 0.5);
  // an A4 page (595 pt wide = 793 CSS px) in a 816 px box, 16 px margin
  assert.ok(Math.abs(fitWidthScale(595.28, 816) - 800 / (595.28 * (96 / 72))) < 1e-9);
  assert.equal(prefersFitWidth({ width: 800, coarsePointer: false }), true);
  assert.equal(prefersFitWidth({ width: 1366, coarsePointer: true }), true);
  assert.equal(prefersFitWidth({ width: 1366, coarsePointer: false }), false);
});

test('search in page texts ignores case and Vietnamese diacritics', () => {
  const pages = ['Báo cáo KẾ HOẠCH năm 2027', 'Không có gì', 'kế hoạch đầu tư; Kế Hoạch tài chính'];
  const hits = findInPages(pages, 'ke hoach');
  assert.deepEqual(hits.map((h) => h.page), [1, 3, 3]);
  assert.equal(hits[0].snippet, 'Báo cáo KẾ HOẠCH năm 2027');
  assert.deepEqual(findInPages(pages, 'đầu  tư').map((h) => h.page), [3]);
  assert.deepEqual(findInPages(pages, 'dau tu').map((h) => h.page), [3]);
  assert.deepEqual(findInPages(pages, '   '), []);
  const long = `${'x'.repeat(100)} ngân sách ${'y'.repeat(100)}`;
  const [one] = findInPages([long], 'ngan sach', { context: 5 });
  assert.equal(one.snippet, '…xxxx ngân sách yyyy…');
});

test('notes of a page, newest first; the opinion summary per unit', () => {
  const notes = [
    { id: 1, page: 3, updated_at: '2026-12-01T01:00:00Z' },
    { id: 2, page: 2, updated_at: '2026-12-01T02:00:00Z' },
    { id: 3, page: 3, updated_at: '2026-12-01T03:00:00Z' },
  ];
  assert.deepEqual(notesOfPage(notes, 3).map((n) => n.id), [3, 1]);
  const summary = opinionSummary({
    units: [
      { unit_id: 1, unit_name: 'Phòng Nội vụ', answered: true },
      { unit_id: 2, unit_name: 'Xã Vĩnh Hanh', answered: false },
    ],
    comments: [
      { id: 5, unit_name: 'Phòng Nội vụ' },
      { id: 6, unit_name: 'Phòng Nội vụ' },
    ],
  });
  assert.equal(summary.answered, 1);
  assert.equal(summary.total, 2);
  assert.deepEqual(summary.missing.map((u) => u.unit_name), ['Xã Vĩnh Hanh']);
  assert.deepEqual(summary.byUnit.map((u) => [u.unit, u.comments.length]), [['Phòng Nội vụ', 2]]);
});
