// Protocol module: one function per server route. No DOM access, so it can be
// imported and tested in node (pass a fetch implementation via configureApi).

import { getLang } from './i18n.js';

/**
 * @typedef {'admin'|'secretary'|'chair'|'delegate'|'site'} Role
 * @typedef {'host'|'commune'|'ward'|'department'|'other'} UnitKind
 *
 * @typedef {object} User
 * @property {number} id
 * @property {string} username
 * @property {string} full_name
 * @property {number} unit_id
 * @property {string} unit_name
 * @property {Role[]} roles
 * @property {string|null} email
 * @property {string|null} title
 * @property {boolean} disabled
 *
 * @typedef {object} Unit
 * @property {number} id
 * @property {string} name
 * @property {UnitKind} kind
 * @property {string} code
 * @property {number|null} parent_id
 * @property {boolean} disabled
 *
 * @typedef {{user: User, csrf_token: string}} Session
 */

/** All roles, in display order. */
export const ROLES = ['admin', 'secretary', 'chair', 'delegate', 'site'];

/** All unit kinds, in display order. */
export const UNIT_KINDS = ['host', 'commune', 'ward', 'department', 'other'];

/** Error raised for any failed request; `message` is already localised by the server. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, or 0 when the server could not be reached
   * @param {string} code machine-readable code from the server (`network_error`/`http_error` when it sent none)
   * @param {string} message human-readable message from the server ('' when it sent none)
   * @param {any} [details] optional `error.details` from the server
   */
  constructor(status, code, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const config = { baseUrl: '', fetch: (...args) => globalThis.fetch(...args) };
let csrfToken = null;
let onUnauthorized = null;

/**
 * Override the base URL (default: same origin), the fetch implementation, or the
 * XMLHttpRequest factory used for uploads (they report progress; fetch does not).
 * @param {{baseUrl?: string, fetch?: typeof fetch, xhr?: () => XMLHttpRequest}} options
 */
export function configureApi(options) {
  Object.assign(config, options);
}

/** @returns {string|null} the CSRF token held in memory (from login/session) */
export function getCsrfToken() {
  return csrfToken;
}

/**
 * Register a callback for a 401 on any route except login/session
 * (i.e. the session ended while the app was open).
 * @param {((err: ApiError) => void)|null} fn
 */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

async function readBody(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Send one request. `json` is sent as a JSON body; `body` is sent as is.
 * @returns {Promise<any>} the parsed JSON body, or null for an empty (204) reply
 */
async function request(method, path, { json, body, contentType, query, expect401 = false } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': getLang() };
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (contentType) {
    headers['Content-Type'] = contentType;
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let url = config.baseUrl + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += '?' + qs;
  }

  let res;
  try {
    res = await config.fetch(url, { method, headers, body, credentials: 'same-origin' });
  } catch (cause) {
    throw new ApiError(0, 'network_error', '', { cause: String(cause) });
  }
  const data = await readBody(res);
  if (res.ok) return data;

  const e = data?.error;
  const err = new ApiError(res.status, e?.code || 'http_error', e?.message || '', e?.details);
  if (res.status === 401 && !expect401 && onUnauthorized) onUnauthorized(err);
  throw err;
}

function keepSession(session) {
  csrfToken = session.csrf_token;
  return session;
}

// ---- auth -------------------------------------------------------------

/**
 * GET /api/auth/session — the current session.
 * @returns {Promise<Session>} throws ApiError with status 401 when not logged in
 */
export async function getSession() {
  return keepSession(await request('GET', '/api/auth/session', { expect401: true }));
}

/**
 * POST /api/auth/login. Throws ApiError 401 (wrong credentials) or 429 (throttled).
 * @param {string} username
 * @param {string} password
 * @returns {Promise<Session>}
 */
export async function login(username, password) {
  return keepSession(await request('POST', '/api/auth/login', { json: { username, password }, expect401: true }));
}

/** POST /api/auth/logout — ends this session; the CSRF token is dropped even if the call fails. */
export async function logout() {
  try {
    await request('POST', '/api/auth/logout', { expect401: true });
  } finally {
    csrfToken = null;
  }
}

/** POST /api/auth/logout-all — ends all of the user's sessions, this one included. */
export async function logoutAll() {
  try {
    await request('POST', '/api/auth/logout-all', { expect401: true });
  } finally {
    csrfToken = null;
  }
}

/**
 * POST /api/me/password
 * @param {string} currentPassword
 * @param {string} newPassword
 * @returns {Promise<void>}
 */
export async function changePassword(currentPassword, newPassword) {
  try {
    // a wrong current password is a 401 too: it must not end the app's session
    await request('POST', '/api/me/password', {
      json: { current_password: currentPassword, new_password: newPassword },
      expect401: true,
    });
  } catch (err) {
    if (err.status === 401 && err.code !== 'bad_current_password' && onUnauthorized) onUnauthorized(err);
    throw err;
  }
}

// ---- units ------------------------------------------------------------

/**
 * GET /api/units — flat list; build the tree from parent_id.
 * @returns {Promise<Unit[]>}
 */
export async function listUnits() {
  return (await request('GET', '/api/units')).units;
}

/**
 * POST /api/units
 * @param {{name: string, kind: UnitKind, code: string, parent_id: number|null}} unit
 * @returns {Promise<Unit>}
 */
export async function createUnit(unit) {
  return (await request('POST', '/api/units', { json: unit })).unit;
}

/**
 * PATCH /api/units/{id}
 * @param {number} id
 * @param {Partial<Pick<Unit, 'name'|'kind'|'code'|'parent_id'|'disabled'>>} changes
 * @returns {Promise<Unit>}
 */
export async function updateUnit(id, changes) {
  return (await request('PATCH', `/api/units/${encodeURIComponent(id)}`, { json: changes })).unit;
}

// ---- users ------------------------------------------------------------

/**
 * GET /api/users — empty filters are left out of the query string.
 * @param {{unit_id?: number|string, q?: string, role?: Role}} [filters]
 * @returns {Promise<User[]>}
 */
export async function listUsers(filters = {}) {
  return (await request('GET', '/api/users', { query: filters })).users;
}

/**
 * POST /api/users — the server generates the password and returns it once.
 * @param {{username: string, full_name: string, unit_id: number, roles: Role[], email: string|null, title: string|null}} user
 * @returns {Promise<{user: User, password: string}>}
 */
export async function createUser(user) {
  return request('POST', '/api/users', { json: user });
}

/**
 * PATCH /api/users/{id}
 * @param {number} id
 * @param {Partial<Pick<User, 'full_name'|'unit_id'|'roles'|'email'|'title'|'disabled'>>} changes
 * @returns {Promise<User>}
 */
export async function updateUser(id, changes) {
  return (await request('PATCH', `/api/users/${encodeURIComponent(id)}`, { json: changes })).user;
}

/**
 * POST /api/users/{id}/reset-password
 * @param {number} id
 * @returns {Promise<string>} the new password (shown once)
 */
export async function resetPassword(id) {
  return (await request('POST', `/api/users/${encodeURIComponent(id)}/reset-password`)).password;
}

/**
 * POST /api/users/import — the raw CSV bytes with Content-Type text/csv.
 * On 422 the ApiError has code `import_invalid` and `details.rows`
 * = [{row, errors: [string]}]; nothing is created then.
 * @param {Blob|ArrayBuffer|Uint8Array|string} csv
 * @returns {Promise<{created: number, users: {username: string, password: string}[]}>}
 */
export async function importUsers(csv) {
  return request('POST', '/api/users/import', { body: csv, contentType: 'text/csv' });
}

// ---- meetings ---------------------------------------------------------

/**
 * @typedef {{id: number, full_name: string, unit_name: string, title: string|null}} PersonRef
 *
 * @typedef {object} Invitation
 * @property {number} id
 * @property {PersonRef} user
 * @property {'person'|'site'} kind
 * @property {number} unit_id
 * @property {string} unit_name
 * @property {PersonRef|null} responsible
 * @property {number|null} via_unit_id
 * @property {boolean} voting
 * @property {'pending'|'attending'|'declined'|'delegated'} answer
 * @property {string|null} reason
 * @property {PersonRef|null} substitute
 * @property {string[]} attendees
 * @property {string|null} answered_at
 * @property {string|null} reminded_at
 *
 * @typedef {object} Meeting
 * @property {number} id
 * @property {string} title
 * @property {'regular'|'thematic'|'urgent'} kind
 * @property {'open'|'restricted'|'confidential'} access
 * @property {boolean} online
 * @property {string} location
 * @property {string} description
 * @property {string} starts_at UTC ISO
 * @property {string} ends_at UTC ISO
 * @property {string} planned_end UTC ISO, from the agenda
 * @property {'draft'|'published'|'in_progress'|'ended'|'archived'|'cancelled'} status
 * @property {string|null} status_reason
 * @property {number} host_unit_id
 * @property {string} host_unit_name
 * @property {PersonRef|null} chair
 * @property {PersonRef[]} organisers
 * @property {string[]} my_roles organiser/chair/invitee/substitute/observer
 * @property {Invitation|null} my_invitation
 *
 * @typedef {object} AgendaItem
 * @property {number} id
 * @property {number|null} parent_id
 * @property {string} number
 * @property {string} title
 * @property {number|null} presenter_id
 * @property {string} presenter_name
 * @property {number} duration_minutes
 * @property {string} summary
 * @property {boolean} withdrawn
 * @property {string|null} planned_start
 *
 * @typedef {{id: number, kind: string, title: string, body: string, params: Record<string, string>, meeting_id: number|null, created_at: string, read_at: string|null}} Notification
 */

const meetingPath = (id, rest = '') => `/api/meetings/${encodeURIComponent(id)}${rest}`;

/**
 * GET /api/meetings — meetings I may see; times are ISO strings with an offset.
 * @param {{from?: string, to?: string, q?: string, unit_id?: number|null}} [filters]
 */
export async function listMeetings(filters = {}) {
  return (await request('GET', '/api/meetings', { query: filters })).meetings;
}

/** POST /api/meetings — a draft; I become its organiser. @returns {Promise<Meeting>} */
export async function createMeeting(meeting) {
  return (await request('POST', '/api/meetings', { json: meeting })).meeting;
}

/** GET /api/meetings/{id} @returns {Promise<Meeting>} */
export async function getMeeting(id) {
  return (await request('GET', meetingPath(id))).meeting;
}

/** PATCH /api/meetings/{id} @returns {Promise<Meeting>} */
export async function updateMeeting(id, changes) {
  return (await request('PATCH', meetingPath(id), { json: changes })).meeting;
}

async function transition(id, name, json) {
  return (await request('POST', meetingPath(id, `/${name}`), { json })).meeting;
}

/** POST /api/meetings/{id}/publish — refused (422) with no chair or nobody invited. */
export const publishMeeting = (id) => transition(id, 'publish');
/** POST /api/meetings/{id}/start */
export const startMeeting = (id) => transition(id, 'start');
/** POST /api/meetings/{id}/end */
export const endMeeting = (id) => transition(id, 'end');
/** POST /api/meetings/{id}/archive */
export const archiveMeeting = (id) => transition(id, 'archive');
/** POST /api/meetings/{id}/cancel */
export const cancelMeeting = (id, reason) => transition(id, 'cancel', { reason });
/**
 * POST /api/meetings/{id}/postpone
 * @param {{starts_at: string, ends_at: string, reason: string}} data
 */
export const postponeMeeting = (id, data) => transition(id, 'postpone', data);

/** GET /api/meetings/{id}/agenda @returns {Promise<{items: AgendaItem[], planned_end: string}>} */
export async function getAgenda(id) {
  return request('GET', meetingPath(id, '/agenda'));
}

/** POST /api/meetings/{id}/agenda @returns {Promise<AgendaItem>} */
export async function addAgendaItem(id, item) {
  return (await request('POST', meetingPath(id, '/agenda'), { json: item })).item;
}

/** PATCH /api/meetings/{id}/agenda/{item_id} (withdrawn: true withdraws it) @returns {Promise<AgendaItem>} */
export async function updateAgendaItem(id, itemId, changes) {
  return (await request('PATCH', meetingPath(id, `/agenda/${encodeURIComponent(itemId)}`), { json: changes })).item;
}

/**
 * PUT /api/meetings/{id}/agenda/order — the full order, every item once.
 * @param {{id: number, children: number[]}[]} items
 * @returns {Promise<{items: AgendaItem[], planned_end: string}>}
 */
export async function reorderAgenda(id, items) {
  return request('PUT', meetingPath(id, '/agenda/order'), { json: { items } });
}

/**
 * POST /api/meetings/{id}/invitations
 * @param {{user_ids?: number[], unit_ids?: number[], sites?: {unit_id: number, responsible_id?: number}[], sites_vote?: boolean}} data
 * @returns {Promise<{added: Invitation[], already_invited: number[], double_booked: {user_id: number, full_name: string, meeting_id: number, meeting_title: string, starts_at: string}[]}>}
 */
export async function invite(id, data) {
  return request('POST', meetingPath(id, '/invitations'), { json: data });
}

/** DELETE /api/meetings/{id}/invitations/{invitation_id} */
export async function uninvite(id, invitationId) {
  await request('DELETE', meetingPath(id, `/invitations/${encodeURIComponent(invitationId)}`));
}

/**
 * POST /api/meetings/{id}/answer
 * @param {{answer: 'attending'|'declined'|'delegated', reason?: string|null, substitute_id?: number|null, attendees?: string[]}} data
 * @returns {Promise<Invitation>}
 */
export async function answerInvitation(id, data) {
  return (await request('POST', meetingPath(id, '/answer'), { json: data })).invitation;
}

/**
 * GET /api/meetings/{id}/attendance (organisers and the chair)
 * @returns {Promise<{people: Invitation[], sites: Invitation[], people_summary: object, sites_summary: object}>}
 */
export async function getAttendance(id) {
  return request('GET', meetingPath(id, '/attendance'));
}

/** POST /api/meetings/{id}/remind @returns {Promise<number>} how many were reminded */
export async function remindPending(id) {
  return (await request('POST', meetingPath(id, '/remind'))).reminded;
}

// ---- notifications ----------------------------------------------------

/** GET /api/notifications @returns {Promise<{notifications: Notification[], unread: number}>} */
export async function listNotifications({ unread = false } = {}) {
  return request('GET', '/api/notifications', { query: { unread: unread ? 1 : undefined } });
}

/** POST /api/notifications/{id}/read */
export async function markNotificationRead(id) {
  await request('POST', `/api/notifications/${encodeURIComponent(id)}/read`);
}

/** POST /api/notifications/read-all @returns {Promise<number>} how many were marked */
export async function markAllNotificationsRead() {
  return (await request('POST', '/api/notifications/read-all')).count;
}

// ---- documents ----------------------------------------------------------

/**
 * @typedef {'normal'|'restricted'|'secret'} Confidentiality
 *
 * @typedef {object} MeetingDocument
 * @property {number} id
 * @property {number} meeting_id
 * @property {number|null} agenda_item_id
 * @property {string} title
 * @property {Confidentiality} confidentiality
 * @property {number} version
 * @property {number} pages
 * @property {number} size bytes of the PDF
 * @property {string|null} uploaded_at
 * @property {boolean} changed_since_read a newer version than the one I last opened
 * @property {string|null} read_at when I last opened it (null: never)
 * @property {boolean} can_download false for restricted documents (and when access ended)
 * @property {string|null} access_until secret documents: access ends then
 * @property {boolean} withdrawn
 * @property {boolean} revoked a secret document whose access was ended at once
 * @property {string} file_name as uploaded (shown, never used as a path)
 *
 * @typedef {{number: number, pages: number, size: number, file_name: string, source_kind: string, uploaded_at: string, uploaded_by_name: string}} DocumentVersion
 * @typedef {{id: number, page: number, text: string, updated_at: string}} Note
 * @typedef {{id: number, page: number, text: string, user_name: string, unit_name: string, created_at: string, mine: boolean}} Comment
 * @typedef {{meeting_id: number, meeting_title: string, document_id: number, document_title: string, page: number, snippet: string}} SearchResult
 */

const documentPath = (id, rest = '') => `/api/documents/${encodeURIComponent(id)}${rest}`;

/** GET /api/meetings/{id}/documents @returns {Promise<MeetingDocument[]>} */
export async function listDocuments(meetingId) {
  return (await request('GET', meetingPath(meetingId, '/documents'))).documents;
}

/** GET /api/documents/{id} @returns {Promise<{document: MeetingDocument, versions: DocumentVersion[]}>} */
export async function getDocument(id) {
  return request('GET', documentPath(id));
}

/** PATCH /api/documents/{id} — any of title, agenda_item_id, confidentiality, access_until. */
export async function updateDocument(id, changes) {
  return (await request('PATCH', documentPath(id), { json: changes })).document;
}

/** POST /api/documents/{id}/withdraw */
export async function withdrawDocument(id) {
  return (await request('POST', documentPath(id, '/withdraw')))?.document;
}

/** POST /api/documents/{id}/revoke — a secret document: nobody can open it any more. */
export async function revokeDocument(id) {
  return (await request('POST', documentPath(id, '/revoke')))?.document;
}

/** GET /api/documents/{id}/readers (organisers) @returns {Promise<{readers: object[], not_read: object[]}>} */
export async function getReaders(id) {
  return request('GET', documentPath(id, '/readers'));
}

/**
 * The PDF to view (watermarked per viewer when secret); PDF.js reads it with Range requests.
 * With `version`, that version (a stable URL per version: a new one never mixes with cached ranges).
 */
export const documentFileUrl = (id, version) =>
  config.baseUrl + documentPath(id, '/file') + (version ? `?version=${encodeURIComponent(version)}` : '');
/** The PDF as an attachment (403 download_not_allowed for restricted documents). */
export const documentDownloadUrl = (id) => config.baseUrl + documentPath(id, '/download');
/** The agenda pack: all the meeting's documents in agenda order, one PDF. */
export const packUrl = (meetingId) => config.baseUrl + meetingPath(meetingId, '/pack');
/** The consolidated comments of a document, as CSV or PDF (organisers). */
export const commentsExportUrl = (id, format) => config.baseUrl + documentPath(id, `/comments.${format}`);

/**
 * POST a multipart form with XMLHttpRequest, whose upload progress fetch does not report.
 * @param {string} path
 * @param {FormData} form
 * @param {{onProgress?: (loaded: number, total: number) => void, signal?: AbortSignal}} [options]
 */
function upload(path, form, { onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = config.xhr ? config.xhr() : new XMLHttpRequest();
    xhr.open('POST', config.baseUrl + path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', getLang());
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.withCredentials = false; // same origin: the session cookie goes along anyway
    if (onProgress && xhr.upload) {
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
    }
    xhr.onload = () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(data);
        return;
      }
      const e = data?.error;
      const err = new ApiError(xhr.status, e?.code || 'http_error', e?.message || '', e?.details);
      if (xhr.status === 401 && onUnauthorized) onUnauthorized(err);
      reject(err);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', ''));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', ''));
    if (signal) {
      if (signal.aborted) {
        reject(new ApiError(0, 'aborted', ''));
        return;
      }
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(form);
  });
}

/**
 * POST /api/meetings/{id}/documents (multipart): a PDF or an Office file the server converts.
 * @param {number} meetingId
 * @param {{file: Blob, title: string, agenda_item_id?: number|null, confidentiality: Confidentiality, access_until?: string|null}} data
 * @param {{onProgress?: (loaded: number, total: number) => void, signal?: AbortSignal}} [options]
 * @returns {Promise<MeetingDocument>}
 */
export async function uploadDocument(meetingId, data, options) {
  const form = new FormData();
  form.append('title', data.title);
  form.append('confidentiality', data.confidentiality);
  if (data.agenda_item_id) form.append('agenda_item_id', String(data.agenda_item_id));
  if (data.access_until) form.append('access_until', data.access_until);
  form.append('file', data.file, data.file.name || 'document');
  return (await upload(meetingPath(meetingId, '/documents'), form, options)).document;
}

/**
 * POST /api/documents/{id}/versions (multipart `file`): a new version supersedes the old one.
 * @returns {Promise<MeetingDocument>}
 */
export async function uploadVersion(id, file, options) {
  const form = new FormData();
  form.append('file', file, file.name || 'document');
  return (await upload(documentPath(id, '/versions'), form, options)).document;
}

/** GET /api/documents/{id}/notes — my private notes. @returns {Promise<Note[]>} */
export async function listNotes(id) {
  return (await request('GET', documentPath(id, '/notes'))).notes;
}

/** POST /api/documents/{id}/notes @returns {Promise<Note|null>} */
export async function addNote(id, page, text) {
  const body = await request('POST', documentPath(id, '/notes'), { json: { page, text } });
  return body?.note ?? null;
}

/** PATCH /api/notes/{id} @returns {Promise<Note|null>} */
export async function updateNote(noteId, text) {
  const body = await request('PATCH', `/api/notes/${encodeURIComponent(noteId)}`, { json: { text } });
  return body?.note ?? null;
}

/** DELETE /api/notes/{id} */
export async function deleteNote(noteId) {
  await request('DELETE', `/api/notes/${encodeURIComponent(noteId)}`);
}

/** POST /api/documents/{id}/opinion-round — open it for comments until `deadline` (ISO, offset). */
export async function openOpinionRound(id, deadline) {
  return request('POST', documentPath(id, '/opinion-round'), { json: { deadline } });
}

/** POST /api/documents/{id}/opinion-round/close */
export async function closeOpinionRound(id) {
  return request('POST', documentPath(id, '/opinion-round/close'));
}

/**
 * GET /api/documents/{id}/comments — organisers see all, others their own.
 * @returns {Promise<{round: {deadline: string, open: boolean}|null, comments: Comment[], units: {unit_id: number, unit_name: string, answered: boolean}[]}>}
 */
export async function getComments(id) {
  return request('GET', documentPath(id, '/comments'));
}

/** POST /api/documents/{id}/comments @returns {Promise<Comment|null>} */
export async function addComment(id, page, text) {
  const body = await request('POST', documentPath(id, '/comments'), { json: { page, text } });
  return body?.comment ?? null;
}

/** GET /api/search?q= — pages of documents in meetings I may see. @returns {Promise<SearchResult[]>} */
export async function searchDocuments(q) {
  return (await request('GET', '/api/search', { query: { q } })).results;
}

// ---- minutes, conclusion notice, signature check ---------------------------

/**
 * @typedef {'minutes'|'notice'} MinutesKind
 *
 * @typedef {object} MinutesRecord one version of the minutes (biên bản) or the conclusion notice
 * @property {number} id
 * @property {number} meeting_id
 * @property {MinutesKind} kind
 * @property {number} version
 * @property {'draft'|'signed'} status
 * @property {object} content storage/minutes/model.py as JSON (dates "2026-11-30", times "08:30")
 * @property {string|null} signed_at
 * @property {string|null} signed_by_name
 * @property {string} updated_at
 *
 * @typedef {object} Verification
 * @property {boolean} valid
 * @property {boolean} intact
 * @property {boolean} trusted
 * @property {string} code valid/unreadable/no_signature/tampered/modified_after_signing/untrusted/…
 * @property {string} message already localised
 * @property {string} signer_name
 * @property {string} signer_unit
 * @property {string|null} signed_at
 * @property {string} reason
 * @property {number} signatures
 */

const minutesPath = (meetingId, kind, rest = '') => meetingPath(meetingId, `/minutes/${encodeURIComponent(kind)}${rest}`);

/** GET /api/meetings/{id}/minutes — every version (runners) or the signed ones (participants). @returns {Promise<MinutesRecord[]>} */
export async function listMinutes(meetingId) {
  return (await request('GET', meetingPath(meetingId, '/minutes'))).records;
}

/** GET /api/meetings/{id}/minutes/{kind} — the current version; the first call drafts it. @returns {Promise<MinutesRecord>} */
export async function getMinutes(meetingId, kind) {
  return (await request('GET', minutesPath(meetingId, kind))).minutes;
}

/** PUT /api/meetings/{id}/minutes/{kind} — 422 minutes_invalid names the bad value. @returns {Promise<MinutesRecord>} */
export async function saveMinutes(meetingId, kind, content) {
  return (await request('PUT', minutesPath(meetingId, kind), { json: { content } })).minutes;
}

/** POST /api/meetings/{id}/minutes/{kind}/new-version — a correction of the signed version. @returns {Promise<MinutesRecord>} */
export async function newMinutesVersion(meetingId, kind) {
  return (await request('POST', minutesPath(meetingId, kind, '/new-version'))).minutes;
}

/**
 * POST /api/meetings/{id}/minutes/{kind}/sign — the chair, with the certificate's password.
 * Refusals: 403 not_the_chair, 422 certificate_wrong_password / certificate_expired, 409 minutes_signed.
 * @returns {Promise<MinutesRecord>}
 */
export async function signMinutes(meetingId, kind, password) {
  return (await request('POST', minutesPath(meetingId, kind, '/sign'), { json: { password } })).minutes;
}

/** The current draft as PDF (rendered on each request); `stamp` makes each saved state its own URL. */
export const minutesPreviewUrl = (meetingId, kind, stamp) =>
  config.baseUrl + minutesPath(meetingId, kind, '/preview') + (stamp ? `?v=${encodeURIComponent(stamp)}` : '');
/** A signed PDF (attachment). */
export const minutesFileUrl = (recordId) => config.baseUrl + `/api/minutes/${encodeURIComponent(recordId)}/file`;

/**
 * POST /api/minutes/verify — the PDF's raw bytes (Content-Type application/pdf).
 * @param {Blob|ArrayBuffer|Uint8Array} pdf
 * @returns {Promise<Verification>}
 */
export async function verifyPdf(pdf) {
  return request('POST', '/api/minutes/verify', { body: pdf, contentType: 'application/pdf' });
}

// ---- follow-up tasks ---------------------------------------------------------

/**
 * @typedef {'open'|'in_progress'|'done'} TaskStatus
 *
 * @typedef {object} Task
 * @property {number} id
 * @property {number} meeting_id
 * @property {number|null} agenda_item_id
 * @property {string} title
 * @property {string} detail
 * @property {number|null} assignee_unit_id
 * @property {number|null} assignee_user_id
 * @property {string} assignee_name
 * @property {string} due_on "2026-12-15"
 * @property {TaskStatus} status
 * @property {boolean} overdue
 * @property {string} result_note
 * @property {string|null} result_name
 * @property {string} updated_at
 */

const taskPath = (id, rest = '') => `/api/tasks/${encodeURIComponent(id)}${rest}`;

/**
 * GET /api/tasks — mine, my unit's, and those of meetings I organise or chair.
 * @param {{meeting_id?: number, overdue?: boolean}} [filters]
 * @returns {Promise<Task[]>}
 */
export async function listTasks({ meeting_id, overdue = false } = {}) {
  return (await request('GET', '/api/tasks', { query: { meeting_id, overdue: overdue ? 1 : undefined } })).tasks;
}

/**
 * POST /api/meetings/{id}/tasks — exactly one of assignee_unit_id / assignee_user_id.
 * @param {{title: string, detail?: string, due_on: string, agenda_item_id?: number|null, assignee_unit_id?: number|null, assignee_user_id?: number|null}} task
 * @returns {Promise<Task>}
 */
export async function createTask(meetingId, task) {
  return (await request('POST', meetingPath(meetingId, '/tasks'), { json: task })).task;
}

/** GET /api/tasks/{id} @returns {Promise<Task>} */
export async function getTask(id) {
  return (await request('GET', taskPath(id))).task;
}

/** PATCH /api/tasks/{id} — status, result_note (assignees); due_on, title (organisers, chair). @returns {Promise<Task>} */
export async function updateTask(id, changes) {
  return (await request('PATCH', taskPath(id), { json: changes })).task;
}

/** POST /api/tasks/{id}/result (multipart `file`, with upload progress). @returns {Promise<Task>} */
export async function uploadTaskResult(id, file, options) {
  const form = new FormData();
  form.append('file', file, file.name || 'ket-qua');
  return (await upload(taskPath(id, '/result'), form, options)).task;
}

/** The attached result file. */
export const taskResultUrl = (id) => config.baseUrl + taskPath(id, '/result');
