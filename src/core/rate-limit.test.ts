// The per-client-IP rate limit (core/rate-limit, decisions/0022): 429 in the error shape with Retry-After and no
// x-ratelimit-* headers, per IP, reset after the window, before authentication, and never on the exempt routes.
import { Value } from 'typebox/value';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../app.js';
import { ConfigError, loadConfig } from '../config.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../test/support/app.js';
import { responseProblem } from '../../test/support/fuzz.js';
import { ErrorBody } from './http-schemas.js';
import { RATE_LIMIT_WINDOW_MS } from './rate-limit.js';
import { servedPaths } from '../../test/support/contract.js';

const LIMIT = 5;

/** Every answer's headers: never a rate-limit header (Glomo sends none), and Retry-After only on a 429. */
function expectNoRateHeaders(headers: Record<string, unknown>): void {
  expect(Object.keys(headers).filter((name) => /ratelimit/i.test(name))).toEqual([]);
}

describe('rate limit', () => {
  let app: App;
  let merchant: TestMerchant;
  let ip = 0;
  /** A fresh client address per test, so the tests share one app without sharing a counter. */
  const nextIp = () => `198.51.100.${++ip}`;

  beforeAll(async () => {
    ({ app } = await buildTestApp({ env: { RATE_LIMIT_PER_MINUTE: String(LIMIT) } }));
    merchant = await createTestMerchant();
  });
  afterAll(async () => app.close());
  afterEach(() => vi.useRealTimers());

  const get = (url: string, remoteAddress: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, remoteAddress, headers });

  it(`answers the ${LIMIT + 1}th request of a minute from one IP 429 in the error shape, with Retry-After only`, async () => {
    const client = nextIp();
    for (let i = 1; i <= LIMIT; i++) {
      const response = await get('/api/v1/customer', client, bearer(merchant.sandboxSecret));
      expect(response.statusCode, `request ${i}`).toBe(200);
      expectNoRateHeaders(response.headers);
      expect(response.headers['retry-after']).toBeUndefined();
    }
    const limited = await get('/api/v1/customer', client, bearer(merchant.sandboxSecret));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = limited.json();
    expect(Value.Check(ErrorBody, body), limited.body).toBe(true);
    expect(responseProblem(limited)).toBeUndefined();
    expect(body).toEqual({
      error: 'Too Many Requests',
      message: expect.stringMatching(new RegExp(`^Rate limit exceeded: at most ${LIMIT} requests per minute per client IP; retry in \\d+ seconds$`)),
      code: 'RATE_LIMITED',
    });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(RATE_LIMIT_WINDOW_MS / 1000);
    expect(body.message).toContain(`retry in ${retryAfter} seconds`);
    expectNoRateHeaders(limited.headers);
    expect(limited.headers['x-request-id']).toBeDefined();
  });

  it('counts every answer (401s and unknown routes too) and refuses before the key check', async () => {
    const client = nextIp();
    const first = [
      await get('/api/v1/customer', client),
      await get('/api/v2/beneficiaries/bene_6819d804aaaaa', client, bearer('not-a-jwt')),
      await get('/no/such/route', client),
      await get('/api/public/v1/order/order_6819d804aaaaa', client),
      await get('/openapi.json', client),
    ].map((response) => response.statusCode);
    expect(first).toEqual([401, 401, 404, 401, 200]);
    for (const url of ['/api/v1/customer', '/no/such/route', '/api/public/v1/order/order_6819d804aaaaa', '/openapi.json']) {
      const response = await get(url, client);
      expect(response.statusCode, url).toBe(429);
      expect(response.json().code).toBe('RATE_LIMITED');
    }
  });

  it('limits each IP on its own (an IPv6 client by its /64)', async () => {
    const busy = nextIp();
    for (let i = 0; i <= LIMIT; i++) await get('/openapi.json', busy);
    expect((await get('/openapi.json', busy)).statusCode).toBe(429);
    const other = await get('/api/v1/customer', nextIp(), bearer(merchant.sandboxSecret));
    expect(other.statusCode).toBe(200);

    for (let i = 0; i < LIMIT; i++) expect((await get('/openapi.json', `2001:db8:1:2::${i + 1}`)).statusCode).toBe(200);
    expect((await get('/openapi.json', '2001:db8:1:2:ffff::1')).statusCode).toBe(429);
    expect((await get('/openapi.json', '2001:db8:1:3::1')).statusCode).toBe(200);
  });

  it('lets the IP in again when its minute has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const client = nextIp();
    for (let i = 0; i < LIMIT; i++) expect((await get('/openapi.json', client)).statusCode).toBe(200);
    expect((await get('/openapi.json', client)).statusCode).toBe(429);
    vi.setSystemTime(Date.now() + RATE_LIMIT_WINDOW_MS - 1000);
    const stillLimited = await get('/openapi.json', client);
    expect(stillLimited.statusCode).toBe(429);
    expect(Number(stillLimited.headers['retry-after'])).toBeLessThanOrEqual(1);
    vi.setSystemTime(Date.now() + 1000);
    for (let i = 0; i < LIMIT; i++) expect((await get('/openapi.json', client)).statusCode, `request ${i + 1}`).toBe(200);
    expect((await get('/openapi.json', client)).statusCode).toBe(429);
  });

  it('never limits /health, nor requests with the operator token; an operator route without it is limited', async () => {
    const client = nextIp();
    for (let i = 0; i <= LIMIT; i++) await get('/openapi.json', client);
    expect((await get('/openapi.json', client)).statusCode).toBe(429);
    for (let i = 0; i < 2 * LIMIT; i++) {
      expect((await get('/health', client)).statusCode).toBe(200);
      expect((await get('/health/', client)).statusCode).toBe(200);
      expect((await get('/admin/v1/merchants', client, bearer(ADMIN_TOKEN))).statusCode).toBe(200);
    }
    expect((await get('/admin/v1/merchants', client)).statusCode).toBe(429);
    expect((await get('/admin/v1/merchants', client, bearer('wrong-admin-token-0123456789'))).statusCode).toBe(429);
    // The operator token on another path is no way around the limit.
    expect((await get('/api/v1/customer', client, bearer(ADMIN_TOKEN))).statusCode).toBe(429);
  });

  it('takes the client IP from the socket, not from X-Forwarded-For, unless TRUST_PROXY says so', async () => {
    const client = nextIp();
    for (let i = 0; i < LIMIT; i++) {
      expect((await get('/openapi.json', client, { 'x-forwarded-for': `203.0.113.${i + 1}` })).statusCode).toBe(200);
    }
    expect((await get('/openapi.json', client, { 'x-forwarded-for': '203.0.113.99' })).statusCode).toBe(429);
  });
});

describe('rate limit in the API reference', () => {
  it('documents 429 on every operation of the API (/openapi.json)', async () => {
    const { app } = await buildTestApp();
    try {
      const document = (await app.inject('/openapi.json')).json<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>();
      const operations = (servedPaths(document) as [string, (typeof document.paths)[string]][])
        .filter(([path]) => path.startsWith('/api/'))
        .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ at: `${method} ${path}`, operation })));
      expect(operations.length).toBeGreaterThan(50);
      expect(operations.filter(({ operation }) => !('429' in operation.responses)).map(({ at }) => at)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('rate limit behind a proxy (TRUST_PROXY=1)', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ env: { RATE_LIMIT_PER_MINUTE: String(LIMIT), TRUST_PROXY: '1' } }));
  });
  afterAll(async () => app.close());

  it("counts per client as the proxy names it, and the proxy's own requests per the proxy", async () => {
    const proxy = '10.0.0.7';
    const get = (forwardedFor?: string) =>
      app.inject({ method: 'GET', url: '/openapi.json', remoteAddress: proxy, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
    for (let i = 0; i < LIMIT; i++) expect((await get('203.0.113.1')).statusCode).toBe(200);
    expect((await get('203.0.113.1')).statusCode).toBe(429);
    // A client's own X-Forwarded-For in front of the proxy's entry changes nothing: one hop is trusted.
    expect((await get('192.0.2.1, 203.0.113.1')).statusCode).toBe(429);
    expect((await get('203.0.113.2')).statusCode).toBe(200);
    expect((await get()).statusCode).toBe(200);
  });
});

describe('rate limit off (RATE_LIMIT_PER_MINUTE=0, the tests’ default)', () => {
  it('never answers 429', async () => {
    const { app } = await buildTestApp();
    expect(app.hasDecorator('createRateLimit')).toBe(false);
    for (let i = 0; i < 3 * LIMIT; i++) {
      const response = await app.inject({ method: 'GET', url: '/openapi.json', remoteAddress: '198.51.100.250' });
      expect(response.statusCode).toBe(200);
      expectNoRateHeaders(response.headers);
    }
    await app.close();
  });
});

describe('TRUST_PROXY', () => {
  const parse = (value?: string) => loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy;

  it('is off by default and takes true/false, a hop count, or addresses, CIDR ranges and proxy-addr keywords', () => {
    expect(parse()).toBe(false);
    expect(parse('')).toBe(false);
    expect(parse('false')).toBe(false);
    expect(parse('0')).toBe(false);
    expect(parse('TRUE')).toBe(true);
    expect(parse('2')).toBe(2);
    expect(parse('10.0.0.0/8, 127.0.0.1,::1, fd00::/8,loopback')).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8', 'loopback']);
  });

  it('refuses anything else', () => {
    for (const value of ['yes', '10.0.0.0/33', '::/129', '10.0.0', 'example.com', '10.0.0.1/8/8', '101']) {
      expect(() => parse(value), value).toThrow(ConfigError);
    }
  });

  it('keeps the rate limit default at Glomo’s 3,000 a minute', () => {
    expect(loadConfig({}).rateLimitPerMinute).toBe(3000);
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute).toBe(0);
  });
});
