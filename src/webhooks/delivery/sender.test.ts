import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.js';
import type { Lookup } from '../url-guard.js';
import { isSuccess, sendWebhook, SNIPPET_MAX_BYTES, type SendPolicy } from './sender.js';
import { startReceiver, type Receiver, type ReceiverAnswer } from '../../../test/support/webhook-receiver.js';

const sandbox: SendPolicy = { env: 'sandbox', allowPrivateTargets: false, timeoutMs: 2000 };
const body = Buffer.from('{"data":{"id":"x","name":"Zürich"},"entity_type":"a","event_type":"b"}', 'utf8');

describe('sendWebhook', () => {
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  const receiver = async (answer: ReceiverAnswer | ((index: number) => ReceiverAnswer)) => {
    const started = await startReceiver(systemClock, (_request, index) => (typeof answer === 'function' ? answer(index) : answer));
    receivers.push(started);
    return started;
  };

  it('POSTs the exact bytes with the given headers, and answers the status, latency and snippet', async () => {
    const hooks = await receiver({ status: 200, body: 'ok' });
    const result = await sendWebhook({ url: hooks.url, body, headers: { 'content-type': 'application/json', 'X-Custom-Name': 'v' } }, sandbox);
    expect(result).toMatchObject({ statusCode: 200, snippet: 'ok' });
    expect(result.error).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(isSuccess(result)).toBe(true);
    const [request] = hooks.received;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/hooks');
    expect(request!.body.equals(body)).toBe(true);
    expect(request!.headers['content-length']).toBe(String(body.length));
    expect(request!.headers['x-custom-name']).toBe('v');
    // Header names go out as written.
    expect(request!.rawHeaderNames).toContain('X-Custom-Name');
  });

  it('connects to the address it checked and keeps the URL host name in Host', async () => {
    const hooks = await receiver({ status: 204 });
    const port = new URL(hooks.url).port;
    const asked: string[] = [];
    const lookup: Lookup = async (name) => {
      asked.push(name);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const result = await sendWebhook({ url: `http://hooks.merchant.test:${port}/in`, body, headers: {} }, { ...sandbox, lookup });
    expect(result).toMatchObject({ statusCode: 204 });
    expect(isSuccess(result)).toBe(true);
    // Resolved once, by the guard; the socket reused that answer instead of resolving again.
    expect(asked).toEqual(['hooks.merchant.test']);
    expect(hooks.received[0]!.headers.host).toBe(`hooks.merchant.test:${port}`);
  });

  it('refuses a production target that resolves to a private address, without connecting', async () => {
    const hooks = await receiver({ status: 200 });
    const port = new URL(hooks.url).port;
    const lookup: Lookup = async () => [{ address: '127.0.0.1', family: 4 }];
    const result = await sendWebhook(
      { url: `https://hooks.merchant.test:${port}/in`, body, headers: {} },
      { env: 'production', allowPrivateTargets: false, timeoutMs: 2000, lookup },
    );
    expect(result.statusCode).toBeUndefined();
    expect(result.error).toBe('Url must not target a private, loopback or link-local address for production endpoints');
    expect(isSuccess(result)).toBe(false);
    expect(hooks.received).toHaveLength(0);
  });

  it('answers an error for a host that does not resolve and for a refused connection', async () => {
    const lookup: Lookup = async () => {
      throw new Error('ENOTFOUND');
    };
    expect(await sendWebhook({ url: 'http://nowhere.invalid/', body, headers: {} }, { ...sandbox, lookup })).toMatchObject({
      error: 'Url host nowhere.invalid does not resolve',
    });
    // A port nothing listens on: take one, then free it.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const refused = await sendWebhook({ url: `http://127.0.0.1:${port}/`, body, headers: {} }, sandbox);
    expect(refused.statusCode).toBeUndefined();
    expect(refused.error).toContain('ECONNREFUSED');
    expect(isSuccess(refused)).toBe(false);
  });

  it('does not follow a redirect: a 3xx is a failure and the other target gets nothing', async () => {
    const elsewhere = await receiver({ status: 200 });
    const hooks = await receiver({ status: 302, headers: { location: elsewhere.url } });
    const result = await sendWebhook({ url: hooks.url, body, headers: {} }, sandbox);
    expect(result).toMatchObject({ statusCode: 302 });
    expect(isSuccess(result)).toBe(false);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('keeps at most 2 KB of the answer as text, and no NUL', async () => {
    const hooks = await receiver({ status: 500, body: `a\u0000${'x'.repeat(5000)}` });
    const result = await sendWebhook({ url: hooks.url, body, headers: {} }, sandbox);
    expect(result.statusCode).toBe(500);
    expect(result.snippet).toHaveLength(SNIPPET_MAX_BYTES);
    expect(result.snippet!.startsWith('a\uFFFDxx')).toBe(true);
    expect(isSuccess(result)).toBe(false);
  });

  it('times out a receiver that never answers, and one that stops in the middle of its body', async () => {
    const silent = await receiver('hang');
    const started = Date.now();
    const result = await sendWebhook({ url: silent.url, body, headers: {} }, { ...sandbox, timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.statusCode).toBeUndefined();
    expect(result.error).toBe('Timed out after 200 ms');
    expect(result.latencyMs).toBeGreaterThanOrEqual(190);
    expect(silent.received).toHaveLength(1);

    const stalling = await receiver('stall-body');
    const partial = await sendWebhook({ url: stalling.url, body, headers: {} }, { ...sandbox, timeoutMs: 200 });
    // The status arrived, but the exchange did not finish in time: a failure.
    expect(partial).toMatchObject({ statusCode: 200, error: 'Timed out after 200 ms' });
    expect(isSuccess(partial)).toBe(false);
  });
});
