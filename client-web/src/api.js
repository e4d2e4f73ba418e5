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
 * Override the base URL (default: same origin) or the fetch implementation.
 * @param {{baseUrl?: string, fetch?: typeof fetch}} options
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
  await request('POST', '/api/me/password', {
    json: { current_password: currentPassword, new_password: newPassword },
  });
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
