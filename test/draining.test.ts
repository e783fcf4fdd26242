// A request that reaches a draining process (decision 0023): the one in flight finishes; one behind it on the same
// kept-alive connection answers 503 in the error shape and the connection closes, so the client retries elsewhere.
import net, { type AddressInfo } from 'node:net';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { ErrorBody } from '../src/core/http-schemas.js';
import { buildTestApp, createTestMerchant, customerBody } from './support/app.js';

describe('a draining server', () => {
  it('finishes the request in flight and answers the next one on its connection 503 SERVICE_UNAVAILABLE, then closes it', async () => {
    const { app, clock } = await buildTestApp();
    const merchant = await createTestMerchant(clock);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (received += data));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // A request in flight: its headers are in, its body is not (yet).
    const body = JSON.stringify(customerBody());
    socket.write(`POST /api/v1/customer HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer ${merchant.sandboxSecret}\r\n`
      + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closing = app.close();
    // preClose has run once a new connection is refused (the listener closes after it).
    await expect.poll(() => new Promise<boolean>((resolve) => {
      const probe = net.connect(port, '127.0.0.1');
      probe.on('connect', () => { probe.destroy(); resolve(false); });
      probe.on('error', () => resolve(true));
    })).toBe(true);
    // The body arrives, and a second request right behind it on the same connection.
    socket.write(`${body}GET /health HTTP/1.1\r\nHost: test\r\n\r\n`);
    await closed;
    await closing;

    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 201 /);
    expect(answers[0]).toContain('"id":"cust_');
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503 /);
    expect(answers[1]!.toLowerCase()).toContain('connection: close');
    const refusal = JSON.parse(answers[1]!.slice(answers[1]!.indexOf('\r\n\r\n') + 4)) as unknown;
    expect(Value.Check(ErrorBody, refusal), JSON.stringify(refusal)).toBe(true);
    expect(refusal).toEqual({ error: 'Service Unavailable', message: 'The server is shutting down: retry the request', code: 'SERVICE_UNAVAILABLE' });
  });
});
