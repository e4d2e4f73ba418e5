import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ApiError,
  addNote,
  answerInvitation,
  changePassword,
  configureApi,
  deleteNote,
  documentFileUrl,
  getCsrfToken,
  importUsers,
  listMeetings,
  listUsers,
  login,
  packUrl,
  reorderAgenda,
  searchDocuments,
  setUnauthorizedHandler,
  updateUnit,
  uploadDocument,
  uploadVersion,
} from '../src/api.js';

/** Fake fetch: records calls, answers from a queue of [status, body]. */
function fakeFetch(...replies) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, ...init });
    const [status, body] = replies.shift();
    const text = body === undefined ? '' : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status });
  };
  configureApi({ fetch });
  return calls;
}

test('login keeps the CSRF token and sends it on non-GET requests only', async () => {
  const user = { id: 1, username: 'admin' };
  const calls = fakeFetch(
    [200, { user, csrf_token: 'tok' }],
    [200, { users: [] }],
    [200, { unit: { id: 5 } }],
  );
  assert.deepEqual((await login('admin', 'pw')).user, user);
  assert.equal(getCsrfToken(), 'tok');
  await listUsers({ unit_id: 3, q: '', role: undefined });
  await updateUnit(5, { disabled: true });

  assert.equal(calls[0].headers['X-CSRF-Token'], undefined);
  assert.equal(calls[0].headers['Accept-Language'], 'vi');
  assert.equal(calls[0].credentials, 'same-origin');
  assert.deepEqual(JSON.parse(calls[0].body), { username: 'admin', password: 'pw' });
  assert.equal(calls[1].url, '/api/users?unit_id=3');
  assert.equal(calls[1].headers['X-CSRF-Token'], undefined);
  assert.equal(calls[2].method, 'PATCH');
  assert.equal(calls[2].headers['X-CSRF-Token'], 'tok');
});

test('a non-2xx reply becomes an ApiError with the server code, message and details', async () => {
  const rows = [{ row: 2, errors: ['unit_code không tồn tại'] }];
  const calls = fakeFetch([422, { error: { code: 'import_invalid', message: 'Tệp có lỗi', details: { rows } } }]);
  const err = await importUsers('username\n').catch((e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 422);
  assert.equal(err.code, 'import_invalid');
  assert.equal(err.message, 'Tệp có lỗi');
  assert.deepEqual(err.details.rows, rows);
  assert.equal(calls[0].headers['Content-Type'], 'text/csv');
});

test('an unreachable server gives status 0', async () => {
  configureApi({ fetch: async () => { throw new TypeError('failed'); } });
  const err = await listUsers().catch((e) => e);
  assert.equal(err.status, 0);
  assert.equal(err.code, 'network_error');
});

test('meeting times go out with their +07:00 offset, percent-encoded', async () => {
  const calls = fakeFetch([200, { meetings: [] }]);
  await listMeetings({ from: '2026-12-05T00:00:00+07:00', q: 'cai cach', unit_id: null });
  assert.equal(calls[0].url, '/api/meetings?from=2026-12-05T00%3A00%3A00%2B07%3A00&q=cai+cach');
});

test('the agenda order is PUT as {items: [{id, children}]} and answers POST to /answer', async () => {
  const calls = fakeFetch([200, { items: [], planned_end: '2026-12-05T04:00:00Z' }], [200, { invitation: { answer: 'declined' } }]);
  await reorderAgenda(7, [{ id: 2, children: [3] }, { id: 1, children: [] }]);
  const answered = await answerInvitation(7, { answer: 'declined', reason: 'Bận' });
  assert.equal(calls[0].method, 'PUT');
  assert.equal(calls[0].url, '/api/meetings/7/agenda/order');
  assert.deepEqual(JSON.parse(calls[0].body), { items: [{ id: 2, children: [3] }, { id: 1, children: [] }] });
  assert.equal(calls[1].url, '/api/meetings/7/answer');
  assert.equal(answered.answer, 'declined');
});

test('a wrong current password (401) does not end the app session; an expired one does', async () => {
  let ended = 0;
  setUnauthorizedHandler(() => ended++);
  fakeFetch(
    [401, { error: { code: 'bad_current_password', message: 'Mật khẩu hiện tại không đúng.' } }],
    [401, { error: { code: 'not_authenticated', message: 'Bạn chưa đăng nhập.' } }],
  );
  const wrong = await changePassword('x', 'yyyyyyyy').catch((e) => e);
  assert.equal(wrong.code, 'bad_current_password');
  assert.equal(ended, 0);
  await changePassword('x', 'yyyyyyyy').catch(() => {});
  assert.equal(ended, 1);
  setUnauthorizedHandler(null);
});

/** A fake XMLHttpRequest: records what was sent, reports progress, answers with status/body. */
function fakeXhr(status, body) {
  const made = [];
  configureApi({
    xhr: () => {
      const xhr = {
        headers: {},
        upload: {},
        open(method, url) {
          Object.assign(xhr, { method, url });
        },
        setRequestHeader(name, value) {
          xhr.headers[name] = value;
        },
        send(form) {
          xhr.form = form;
          queueMicrotask(() => {
            xhr.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
            xhr.upload.onprogress?.({ lengthComputable: true, loaded: 100, total: 100 });
            xhr.status = status;
            xhr.responseText = JSON.stringify(body);
            xhr.onload();
          });
        },
        abort() {
          xhr.onabort();
        },
      };
      made.push(xhr);
      return xhr;
    },
  });
  return made;
}

test('uploads go as multipart through XMLHttpRequest, with progress and the CSRF token', async () => {
  fakeFetch([200, { user: { id: 1 }, csrf_token: 'tok2' }]);
  await login('thuky', 'pw');
  const made = fakeXhr(201, { document: { id: 4, title: 'Báo cáo' } });
  const progress = [];
  const file = new Blob(['%PDF-1.7'], { type: 'application/pdf' });
  file.name = 'Báo cáo.pdf';
  const doc = await uploadDocument(
    7,
    { file, title: 'Báo cáo', agenda_item_id: 3, confidentiality: 'secret', access_until: '2026-12-05T17:00:00+07:00' },
    { onProgress: (loaded, total) => progress.push([loaded, total]) },
  );
  assert.deepEqual(doc, { id: 4, title: 'Báo cáo' });
  const [xhr] = made;
  assert.equal(xhr.method, 'POST');
  assert.equal(xhr.url, '/api/meetings/7/documents');
  assert.equal(xhr.headers['X-CSRF-Token'], 'tok2');
  assert.deepEqual(progress, [[50, 100], [100, 100]]);
  assert.equal(xhr.form.get('title'), 'Báo cáo');
  assert.equal(xhr.form.get('agenda_item_id'), '3');
  assert.equal(xhr.form.get('confidentiality'), 'secret');
  assert.equal(xhr.form.get('access_until'), '2026-12-05T17:00:00+07:00');
  assert.equal(xhr.form.get('file').name, 'Báo cáo.pdf');
});

test('a refused upload is an ApiError with the server message; a new version posts the file only', async () => {
  fakeXhr(422, { error: { code: 'document_encrypted', message: 'Tệp PDF có mật khẩu' } });
  const file = new Blob(['x']);
  const err = await uploadDocument(7, { file, title: 'x', confidentiality: 'normal' }).catch((e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 422);
  assert.equal(err.code, 'document_encrypted');
  assert.equal(err.message, 'Tệp PDF có mật khẩu');
  const made = fakeXhr(200, { document: { id: 4, version: 2 } });
  assert.equal((await uploadVersion(4, file)).version, 2);
  assert.equal(made[0].url, '/api/documents/4/versions');
  assert.equal(made[0].form.get('title'), null);
});

test('document routes: notes, comments, search and the file URLs', async () => {
  const calls = fakeFetch(
    [201, { note: { id: 1, page: 3, text: 'Ghi chú' } }],
    [204],
    [200, { results: [{ document_id: 4, page: 2 }] }],
  );
  assert.equal((await addNote(4, 3, 'Ghi chú')).page, 3);
  await deleteNote(1);
  assert.equal((await searchDocuments('ke hoach'))[0].page, 2);
  assert.deepEqual(JSON.parse(calls[0].body), { page: 3, text: 'Ghi chú' });
  assert.equal(calls[1].method, 'DELETE');
  assert.equal(calls[1].url, '/api/notes/1');
  assert.equal(calls[2].url, '/api/search?q=ke+hoach');
  assert.equal(documentFileUrl(4), '/api/documents/4/file');
  assert.equal(documentFileUrl(4, 2), '/api/documents/4/file?version=2');
  assert.equal(packUrl(7), '/api/meetings/7/pack');
});
