// The server's timeouts on a real socket (core/transport, decisions/0022): a request whose headers or body stall, a
// body that trickles in, a connection that says nothing and an idle keep-alive connection are all closed, the first
// three with a 408 in the error shape; bad bytes and oversized headers answer 400 and 431 in the same shape.
import net from 'node:net';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { ADMIN_TOKEN, buildTestApp } from '../../test/support/app.js';
import { ErrorBody } from './http-schemas.js';
import { connectionsCheckingInterval, transportOptions } from './transport.js';

const REQUEST_TIMEOUT_MS = 1000;
const KEEP_ALIVE_TIMEOUT_MS = 1000;
/** Node looks for expired requests every connectionsCheckingInterval; the rest is scheduling slack. */
const MARGIN_MS = connectionsCheckingInterval(REQUEST_TIMEOUT_MS) + 700;
/** Node keeps an idle keep-alive socket one second past keepAliveTimeout. */
const NODE_KEEP_ALIVE_BUFFER_MS = 1000;

interface Exchange {
  /** Everything the server wrote. */
  received: string;
  /** When the server closed the connection, in ms after it was opened. */
  closedAfterMs: number;
}

/** Opens a connection, writes each chunk after its delay, and waits (at most `giveUpMs`) for the server to close. */
function exchange(port: number, chunks: ReadonlyArray<readonly [delayMs: number, data: string]>, giveUpMs = 6000): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const opened = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timers: NodeJS.Timeout[] = [];
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${giveUpMs} ms; received ${JSON.stringify(received)}`));
    }, giveUpMs);
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (received += data));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(giveUp);
      for (const timer of timers) clearTimeout(timer);
      resolve({ received, closedAfterMs: Date.now() - opened });
    });
    socket.on('connect', () => {
      for (const [delayMs, data] of chunks) timers.push(setTimeout(() => socket.writable && socket.write(data), delayMs));
    });
  });
}

function parse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => {
    const at = line.indexOf(':');
    return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()];
  }));
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function expectErrorAnswer(raw: string, status: number, code: string): void {
  const response = parse(raw);
  expect(response.status, raw).toBe(status);
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(response.headers.connection).toBe('close');
  const body = JSON.parse(response.body) as unknown;
  expect(Value.Check(ErrorBody, body), response.body).toBe(true);
  expect(body).toMatchObject({ code });
  expect(Buffer.byteLength(response.body)).toBe(Number(response.headers['content-length']));
}

const json = JSON.stringify({ name: 'Slow Client Ltd' });
const postHead = (contentLength: number) =>
  `POST /admin/v1/merchants HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n` +
  `Content-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n`;

describe('request and keep-alive timeouts on a real socket', () => {
  let app: App;
  let port: number;

  beforeAll(async () => {
    ({ app } = await buildTestApp({
      env: { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS) },
    }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as net.AddressInfo).port;
  });
  afterAll(async () => app.close());

  it('sets the timeouts of the settings on the HTTP server', () => {
    expect(app.server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    expect(app.server.headersTimeout).toBe(REQUEST_TIMEOUT_MS);
    expect(app.server.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
    expect(app.server.timeout).toBe(0);
    const defaults = transportOptions({ requestTimeoutMs: 30_000, keepAliveTimeoutMs: 72_000 });
    expect(defaults.http).toMatchObject({ requestTimeout: 30_000, headersTimeout: 30_000, keepAliveTimeout: 72_000, connectionsCheckingInterval: 3000 });
    expect(transportOptions({ requestTimeoutMs: 600_000, keepAliveTimeoutMs: 1000 }).http).toMatchObject({ headersTimeout: 60_000, connectionsCheckingInterval: 5000 });
  });

  it('answers a request whose body stalls 408 in the error shape and closes the connection', async () => {
    const { received, closedAfterMs } = await exchange(port, [[0, postHead(json.length) + json.slice(0, 5)]]);
    expectErrorAnswer(received, 408, 'REQUEST_TIMEOUT');
    expect(JSON.parse(parse(received).body)).toEqual({
      error: 'Request Timeout',
      message: `Request headers and body did not arrive within ${REQUEST_TIMEOUT_MS} ms`,
      code: 'REQUEST_TIMEOUT',
    });
    expect(closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS);
  });

  it('bounds the whole request, not the gaps: a body trickling in a byte at a time is cut off too', async () => {
    const body = 'x'.repeat(40);
    const chunks: [number, string][] = [[0, postHead(body.length)], ...[...body].map((byte, i): [number, string] => [100 * (i + 1), byte])];
    const { received, closedAfterMs } = await exchange(port, chunks);
    expectErrorAnswer(received, 408, 'REQUEST_TIMEOUT');
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS);
  });

  it('answers headers that stall (slowloris) and a connection that sends nothing 408 and closes them', async () => {
    const [partialHeaders, silent] = await Promise.all([
      exchange(port, [[0, 'GET /health HTTP/1.1\r\nHost: localhost\r\n'], [300, 'X-Slow: 1\r\n']]),
      exchange(port, []),
    ]);
    for (const { received, closedAfterMs } of [partialHeaders, silent]) {
      expectErrorAnswer(received, 408, 'REQUEST_TIMEOUT');
      expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS);
    }
  });

  it('serves a request whose body arrives in pieces within the timeout', async () => {
    const { received } = await exchange(port, [[0, postHead(json.length) + json.slice(0, 5)], [400, `${json.slice(5)}`]]);
    const response = parse(received);
    expect(response.status, received).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({ name: 'Slow Client Ltd' });
  });

  it('closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS', async () => {
    const { received, closedAfterMs } = await exchange(port, [[0, 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n']]);
    const response = parse(received);
    expect(response.status).toBe(200);
    expect(response.headers['keep-alive']).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    expect(closedAfterMs).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS - 50);
    expect(closedAfterMs).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + NODE_KEEP_ALIVE_BUFFER_MS + MARGIN_MS);
  });

  it('answers bytes that are not HTTP 400 and oversized headers 431, in the error shape', async () => {
    const [garbage, huge] = await Promise.all([
      exchange(port, [[0, 'NOT HTTP AT ALL\r\n\r\n']]),
      exchange(port, [[0, `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]]),
    ]);
    expectErrorAnswer(garbage.received, 400, 'MALFORMED_REQUEST');
    expectErrorAnswer(huge.received, 431, 'HEADERS_TOO_LARGE');
  });
});
