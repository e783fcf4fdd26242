// The HTTP server's timeouts and its answers to errors below the router (a request that never completes, headers
// too large, bytes that are not HTTP), so a slow or silent client cannot hold a connection for ever. See
// docs/decisions/0022-rate-limits-and-timeouts.md.
import type { ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config.js';
import { errors, type ApiError } from './errors.js';

/** Node's headersTimeout default; ours is never above the request timeout (Node refuses headersTimeout > requestTimeout). */
const NODE_HEADERS_TIMEOUT_MS = 60_000;

/**
 * How often Node looks for requests past their deadline (its default is 30 s, which would let a 30 s request timeout
 * become 60 s): a tenth of the request timeout, between 100 ms and 5 s. Each look only walks the requests in
 * progress, oldest first, so it costs nothing measurable.
 */
export function connectionsCheckingInterval(requestTimeoutMs: number): number {
  return Math.min(5000, Math.max(100, Math.floor(requestTimeoutMs / 10)));
}

export interface TransportOptions {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
  clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => void;
}

/**
 * Fastify's server options for the timeouts:
 * - requestTimeout: the whole request (headers and body) must arrive within REQUEST_TIMEOUT_MS of its first byte,
 *   and a connection that sends nothing at all is closed after it too; the client gets a 408 and the connection closes;
 * - headersTimeout: the headers within the same time (at most Node's 60 s);
 * - keepAliveTimeout: an idle keep-alive connection closes after KEEP_ALIVE_TIMEOUT_MS (Node adds one second).
 * No connectionTimeout (socket inactivity): it would also cut a response that takes long to compute (a sandbox clock
 * advance running many jobs), and the three above already bound every wait on the client.
 */
export function transportOptions(config: Pick<Config, 'requestTimeoutMs' | 'keepAliveTimeoutMs'>): TransportOptions {
  const requestTimeout = config.requestTimeoutMs;
  return {
    requestTimeout,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, NODE_HEADERS_TIMEOUT_MS),
      keepAliveTimeout: config.keepAliveTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingInterval(requestTimeout),
    },
    clientErrorHandler: clientErrorHandler(requestTimeout),
  };
}

/** The answer to an error Node raised before any route ran. */
export function clientErrorAnswer(code: string | undefined, requestTimeoutMs: number): ApiError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return errors.requestTimeout(requestTimeoutMs);
    case 'HPE_HEADER_OVERFLOW':
      return errors.headersTooLarge();
    default:
      return errors.malformedRequest();
  }
}

/**
 * Node's `clientError`: written straight on the socket in the contract's error shape (Fastify's default writes its
 * own `{"statusCode"}` body), then the connection closes. Nothing is written when the socket is gone or a response
 * has already begun on it.
 */
function clientErrorHandler(requestTimeoutMs: number): TransportOptions['clientErrorHandler'] {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !response?.headersSent) {
      const answer = clientErrorAnswer(error.code, requestTimeoutMs);
      const body = JSON.stringify(answer.toBody());
      socket.write(
        `HTTP/1.1 ${answer.statusCode} ${answer.toBody().error}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
