// Live channel to the server: socket.io namespace /live (path /socket.io/),
// authenticated by the session cookie. One connection per logged-in tab;
// listeners subscribe by event name and survive reconnects.

import { io } from 'socket.io-client';

export const LIVE_NAMESPACE = '/live';

/**
 * Open a socket.io connection to the /live namespace on the same origin; the
 * session cookie is sent along (withCredentials).
 * @param {import('socket.io-client').ManagerOptions & import('socket.io-client').SocketOptions} [options]
 * @returns {import('socket.io-client').Socket}
 */
export function connectLive(options = {}) {
  return io(LIVE_NAMESPACE, { path: '/socket.io/', withCredentials: true, ...options });
}

let socket = null;
let status = 'off'; // off | connecting | connected | disconnected
const handlers = new Map(); // event -> Set<fn>

function dispatch(event, ...args) {
  handlers.get(event)?.forEach((fn) => fn(...args));
}

function setStatus(next) {
  status = next;
  dispatch('status', next);
}

/** Connect (once) after login; events are dispatched to onLive() listeners. */
export function startLive() {
  if (socket) return;
  socket = connectLive();
  setStatus('connecting');
  socket.on('connect', () => setStatus('connected'));
  socket.on('disconnect', () => setStatus('disconnected'));
  socket.on('connect_error', () => setStatus('disconnected'));
  socket.onAny((event, ...args) => dispatch(event, ...args));
}

/** Disconnect (on logout). */
export function stopLive() {
  if (!socket) return;
  socket.disconnect();
  socket = null;
  setStatus('off');
}

/** @returns {'off'|'connecting'|'connected'|'disconnected'} */
export function liveStatus() {
  return status;
}

/**
 * Listen to a server event (e.g. 'notification'), or to 'status' changes.
 * @returns {() => void} unsubscribe
 */
export function onLive(event, fn) {
  if (!handlers.has(event)) handlers.set(event, new Set());
  handlers.get(event).add(fn);
  return () => handlers.get(event).delete(fn);
}
