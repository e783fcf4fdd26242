import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../test/support/app.js';
import { humanize } from './errors.js';
import { findUnstorableText, isStorableText } from './text-guard.js';
import { servedPaths } from '../../test/support/contract.js';

const refusal = (field: string) => ({
  error: 'Bad Request',
  message: `Validation failed: ${field} must not contain NUL bytes or unpaired surrogates`,
  code: 'VALIDATION_FAILED',
});

describe('findUnstorableText', () => {
  it('finds NUL bytes and unpaired surrogates in values and keys, at any depth; paired surrogates are text', () => {
    expect(isStorableText('plain, accented é and an emoji 😀')).toBe(true);
    for (const bad of ['\u0000', 'a\u0000b', '\ud800x', 'x\ud800', '\udc00x', 'x\udc00', '\ude00\ud83d']) expect(isStorableText(bad), JSON.stringify(bad)).toBe(false);
    expect(findUnstorableText({ a: ['ok', { b: '😀' }], n: 1, t: true, z: null })).toBeUndefined();
    expect(findUnstorableText({ a: ['ok', { b: 'x\u0000' }] })).toEqual(['a', '1', 'b']);
    expect(findUnstorableText({ notes: { 'k\u0000': 'v' } })).toEqual(['notes']);
    expect(findUnstorableText({ '\ud800': 1 })).toEqual([]);
    expect(findUnstorableText('\u0000')).toEqual([]);
  });

  it('walks a deeply nested body without overflowing the stack', () => {
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findUnstorableText(deep)).toHaveLength(200_000);
  });
});

describe('unstorable text at the edge', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });
  const get = (url: string) => app.inject({ method: 'GET', url, headers: bearer(merchant.sandboxSecret) });

  it('answers 400 for a NUL byte in a path id or a query filter', async () => {
    const byId = await get('/api/v1/orders/order_%00');
    expect(byId.statusCode, byId.body).toBe(400);
    expect(byId.json()).toEqual(refusal('Id'));
    const filtered = await get('/api/v1/orders?request_id=%00');
    expect(filtered.statusCode, filtered.body).toBe(400);
    expect(filtered.json()).toEqual(refusal('Request id'));
  });

  it('answers 400 for a NUL byte in a text field of a body, and stores nothing', async () => {
    const response = await app.inject({
      method: 'POST', url: '/api/v1/customer', headers: bearer(merchant.sandboxSecret), payload: customerBody({ address: '1 Main\u0000St' }),
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toEqual(refusal('Address'));
    expect((await get('/api/v1/customer')).json().data).toEqual([]);
  });

  it('answers the checkout page an HTML 400, not a 500', async () => {
    const response = await app.inject({ method: 'GET', url: `/checkout/order_%00?public_key=${merchant.sandboxPublishable}` });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('must not contain NUL bytes or unpaired surrogates');
  });

  describe('on every operation of the API and the operator API', () => {
    interface Operation {
      parameters?: { in: string; name: string }[];
      requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
    }
    const headersFor = (path: string) =>
      path.startsWith('/admin/') ? bearer(ADMIN_TOKEN)
        : path.startsWith('/api/public/') ? bearer(merchant.sandboxPublishable)
          : bearer(merchant.sandboxSecret);
    const operations = () => {
      const doc = app.swagger() as { paths: Record<string, Record<string, Operation>> };
      return (servedPaths(doc) as [string, (typeof doc.paths)[string]][]).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));
    };
    const url = (path: string, nul?: string) => path.replace(/\{([^}]+)\}/g, (_, name: string) => (name === nul ? 'x%00' : 'x'));

    it('refuses a NUL byte in each path parameter, the first query parameter and the first body field', async () => {
      let checked = 0;
      for (const { path, method, op } of operations()) {
        const params = op.parameters ?? [];
        const cases: Array<{ url: string; payload?: Record<string, unknown>; field: string }> = [];
        for (const param of params.filter((p) => p.in === 'path')) cases.push({ url: url(path, param.name), field: humanize(param.name) });
        const query = params.find((p) => p.in === 'query');
        if (query) cases.push({ url: `${url(path)}?${query.name}=%00`, field: humanize(query.name) });
        const field = Object.keys(op.requestBody?.content['application/json']?.schema.properties ?? {})[0];
        if (field) cases.push({ url: url(path), payload: { [field]: 'a\u0000b' }, field: humanize(field) });
        for (const request of cases) {
          const response = await app.inject({
            method: method as 'GET', url: request.url, headers: headersFor(path), ...(request.payload ? { payload: request.payload } : {}),
          });
          const label = `${method} ${request.url} ${JSON.stringify(request.payload ?? '')}`;
          expect(response.statusCode, `${label}: ${response.body}`).toBe(400);
          expect(response.json(), label).toEqual(refusal(request.field));
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(100);
    });
  });
});
