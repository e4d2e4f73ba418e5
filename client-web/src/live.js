// Live channel to the server (socket.io). Not used by any page yet.

import { io } from 'socket.io-client';

/**
 * Connect to the server's socket.io endpoint on the same origin; the session
 * cookie is sent along (withCredentials).
 * @param {import('socket.io-client').ManagerOptions & import('socket.io-client').SocketOptions} [options]
 * @returns {import('socket.io-client').Socket}
 */
export function connectLive(options = {}) {
  return io({ path: '/socket.io/', withCredentials: true, ...options });
}
