import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  configureApi,
  createTask,
  listTasks,
  login,
  minutesFileUrl,
  minutesPreviewUrl,
  saveMinutes,
  signMinutes,
  updateTask,
  uploadTaskResult,
  verifyPdf,
} from '../src/api.js';
import {
  agendaLinks,
  appendAt,
  findUnit,
  minutesRights,
  removeAt,
  sameContent,
  setIn,
  signedVersions,
  taskBody,
  taskDraft,
  taskGroup,
  textToList,
  voteLine,
} from '../src/minutes.js';

function fakeFetch(...replies) {
  const calls = [];
  configureApi({
    fetch: async (url, init) => {
      calls.push({ url, ...init });
      const [status, body] = replies.shift();
      return new Response(body === undefined ? null : JSON.stringify(body), { status });
    },
  });
  return calls;
}

const meeting = (status, my_roles) => ({ status, my_roles });

test('minutes rights: organisers edit and the chair signs once the meeting has ended; others see signed ones', () => {
  const running = minutesRights(meeting('in_progress', ['organiser']));
  assert.equal(running.open, false);
  assert.equal(running.assign, true); // tasks may be given during the meeting
  const secretary = minutesRights(meeting('ended', ['organiser']));
  assert.deepEqual([secretary.open, secretary.edit, secretary.sign], [true, true, false]);
  const chair = minutesRights(meeting('archived', ['chair']));
  assert.deepEqual([chair.open, chair.edit, chair.sign, chair.tasks, chair.assign], [true, false, true, true, false]);
  const official = minutesRights(meeting('ended', ['invitee']));
  assert.deepEqual([official.open, official.signedList, official.tasks], [false, true, false]);
  assert.equal(minutesRights(meeting('published', ['invitee'])).signedList, false);
});

test('setIn copies only the path; removeAt and appendAt edit lists', () => {
  const content = { opening: '', items: [{ title: 'A', assignments: [] }, { title: 'B' }] };
  const next = setIn(content, ['items', 0, 'conclusion'], 'Thống nhất');
  assert.equal(next.items[0].conclusion, 'Thống nhất');
  assert.equal(content.items[0].conclusion, undefined);
  assert.equal(next.items[1], content.items[1]);
  const added = appendAt(next, ['items', 1, 'assignments'], { task: 'x', units: [], due: null });
  assert.equal(added.items[1].assignments.length, 1);
  assert.equal(removeAt(added, ['items', 1, 'assignments'], 0).items[1].assignments.length, 0);
  assert.ok(sameContent(content, structuredClone(content)));
  assert.ok(!sameContent(content, next));
});

test('lists are edited one per line', () => {
  assert.deepEqual(textToList(' Phòng Nội vụ \n\nLưu: VT\n'), ['Phòng Nội vụ', 'Lưu: VT']);
});

test('a vote line names voters of open votes only', () => {
  const options = [{ label: 'Đồng ý', count: 1, names: ['Phạm Văn Đức'] }, { label: 'Không đồng ý', count: 0, names: [] }];
  assert.equal(voteLine({ options }), 'Đồng ý: 1 (Phạm Văn Đức) · Không đồng ý: 0');
  assert.equal(voteLine({ options, secret: true }), 'Đồng ý: 1 · Không đồng ý: 0');
});

test('minutes items find their agenda items by title, each once, ignoring diacritics', () => {
  const agenda = [
    { id: 7, title: 'Báo cáo tiến độ' },
    { id: 8, title: 'Kế hoạch năm 2027', withdrawn: true },
    { id: 9, title: 'Kế hoạch năm 2027' },
    { id: 10, title: 'Báo cáo tiến độ' },
  ];
  const items = [{ title: 'Bao cao tien do' }, { title: 'Kế hoạch năm 2027' }, { title: 'Báo cáo tiến độ' }, { title: 'Khác' }];
  assert.deepEqual(agendaLinks(items, agenda), [7, 9, 10, null]);
});

test('a task draft from a conclusion and an assignment; its body needs a title, a date and one assignee', () => {
  const units = [{ id: 3, name: 'Phòng Văn hóa và Thông tin' }, { id: 4, name: 'Phòng Nội vụ' }];
  const item = { title: 'Kế hoạch chuyển đổi số', conclusion: 'Thống nhất thông qua Kế hoạch. Giao Phòng VH-TT hoàn thiện.' };
  const fromConclusion = taskDraft({ item, agendaItemId: 9, units });
  assert.equal(fromConclusion.title, 'Thống nhất thông qua Kế hoạch.');
  assert.match(fromConclusion.detail, /^Kế hoạch chuyển đổi số\n\nThống nhất/);
  assert.deepEqual(taskBody(fromConclusion), { missing: 'tasks.missing.due' });
  const assignment = { task: 'Hoàn thiện Kế hoạch', units: ['phong van hoa va thong tin'], due: '2026-12-15' };
  const draft = taskDraft({ item, assignment, agendaItemId: 9, units });
  assert.equal(draft.assignee_unit_id, 3);
  assert.deepEqual(taskBody(draft).body, {
    title: 'Hoàn thiện Kế hoạch',
    detail: draft.detail,
    due_on: '2026-12-15',
    agenda_item_id: 9,
    assignee_unit_id: 3,
  });
  assert.deepEqual(taskBody({ ...draft, assignee: 'user' }), { missing: 'tasks.missing.assignee' });
  assert.equal(taskBody({ ...draft, assignee: 'user', assignee_user_id: 5 }).body.assignee_user_id, 5);
  assert.equal(findUnit(units, 'Nội vụ'), 4);
  assert.equal(findUnit(units, 'Phòng'), null); // ambiguous
});

test('tasks group into mine, my unit and followed', () => {
  const user = { id: 5, unit_id: 2 };
  assert.equal(taskGroup({ assignee_user_id: 5, assignee_unit_id: null }, user), 'mine');
  assert.equal(taskGroup({ assignee_user_id: null, assignee_unit_id: 2 }, user), 'unit');
  assert.equal(taskGroup({ assignee_user_id: 9, assignee_unit_id: null }, user), 'followed');
});

test('signed versions per kind, newest first', () => {
  const records = [
    { id: 1, kind: 'minutes', version: 1, status: 'signed' },
    { id: 3, kind: 'minutes', version: 2, status: 'signed' },
    { id: 4, kind: 'minutes', version: 3, status: 'draft' },
    { id: 2, kind: 'notice', version: 1, status: 'signed' },
  ];
  const out = signedVersions(records);
  assert.deepEqual(out.minutes.map((r) => r.id), [3, 1]);
  assert.deepEqual(out.notice.map((r) => r.id), [2]);
});

test('minutes routes: save sends {content}, sign sends the password, URLs are per record', async () => {
  const calls = fakeFetch(
    [200, { user: { id: 1 }, csrf_token: 'tok' }],
    [200, { minutes: { id: 4, status: 'draft' } }],
    [200, { minutes: { id: 4, status: 'signed' } }],
  );
  await login('thuky', 'pw');
  await saveMinutes(7, 'notice', { opening: 'x' });
  const signed = await signMinutes(7, 'minutes', 'bí mật');
  assert.equal(signed.status, 'signed');
  assert.equal(calls[1].method, 'PUT');
  assert.equal(calls[1].url, '/api/meetings/7/minutes/notice');
  assert.deepEqual(JSON.parse(calls[1].body), { content: { opening: 'x' } });
  assert.equal(calls[2].url, '/api/meetings/7/minutes/minutes/sign');
  assert.deepEqual(JSON.parse(calls[2].body), { password: 'bí mật' });
  assert.equal(calls[2].headers['X-CSRF-Token'], 'tok');
  assert.equal(minutesPreviewUrl(7, 'minutes', '12'), '/api/meetings/7/minutes/minutes/preview?v=12');
  assert.equal(minutesFileUrl(9), '/api/minutes/9/file');
});

test('verify posts the raw PDF bytes with its content type and the CSRF token', async () => {
  const calls = fakeFetch([200, { user: { id: 1 }, csrf_token: 'tok3' }], [200, { valid: false, code: 'tampered', message: 'Đã bị sửa' }]);
  await login('tp.noivu', 'pw');
  const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46]);
  const result = await verifyPdf(pdf);
  assert.equal(result.code, 'tampered');
  assert.equal(calls[1].url, '/api/minutes/verify');
  assert.equal(calls[1].method, 'POST');
  assert.equal(calls[1].headers['Content-Type'], 'application/pdf');
  assert.equal(calls[1].headers['X-CSRF-Token'], 'tok3');
  assert.equal(calls[1].body, pdf);
});

test('task routes: list filters, create, patch, result upload with progress', async () => {
  const calls = fakeFetch(
    [200, { user: { id: 1 }, csrf_token: 'tok4' }],
    [200, { tasks: [] }],
    [200, { tasks: [] }],
    [201, { task: { id: 3 } }],
    [200, { task: { id: 3, status: 'done' } }],
  );
  await login('thuky', 'pw');
  await listTasks({ meeting_id: 7 });
  await listTasks({ overdue: true });
  await createTask(7, { title: 'T', due_on: '2026-12-15', assignee_unit_id: 2 });
  assert.equal((await updateTask(3, { status: 'done' })).status, 'done');
  assert.equal(calls[1].url, '/api/tasks?meeting_id=7');
  assert.equal(calls[2].url, '/api/tasks?overdue=1');
  assert.equal(calls[3].url, '/api/meetings/7/tasks');
  assert.equal(calls[4].method, 'PATCH');
  assert.equal(calls[4].url, '/api/tasks/3');

  const sent = [];
  configureApi({
    xhr: () => {
      const xhr = {
        headers: {},
        upload: {},
        open: (method, url) => Object.assign(xhr, { method, url }),
        setRequestHeader: (name, value) => (xhr.headers[name] = value),
        send(form) {
          sent.push(xhr);
          xhr.form = form;
          queueMicrotask(() => {
            xhr.upload.onprogress?.({ lengthComputable: true, loaded: 1, total: 2 });
            xhr.status = 200;
            xhr.responseText = JSON.stringify({ task: { id: 3, result_name: 'kq.pdf' } });
            xhr.onload();
          });
        },
      };
      return xhr;
    },
  });
  const file = new Blob(['%PDF-1.7'], { type: 'application/pdf' });
  file.name = 'kq.pdf';
  const progress = [];
  const task = await uploadTaskResult(3, file, { onProgress: (l, total) => progress.push([l, total]) });
  assert.equal(task.result_name, 'kq.pdf');
  assert.equal(sent[0].url, '/api/tasks/3/result');
  assert.equal(sent[0].headers['X-CSRF-Token'], 'tok4');
  assert.equal(sent[0].form.get('file').name, 'kq.pdf');
  assert.deepEqual(progress, [[1, 2]]);
});
