// The JSON body parser every route shares (app.ts): an empty body sent as application/json is {}, anything else is
// parsed by Fastify's own parser, prototype poisoning refused.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../test/support/app.js';

describe('an empty JSON body', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });
  const json = (method: 'POST' | 'PATCH', url: string, payload: string) =>
    app.inject({ method, url, headers: { ...bearer(merchant.sandboxSecret), 'content-type': 'application/json' }, payload });

  it('is {} on a PATCH: the bodiless update changes nothing and answers the object', async () => {
    const created = await json('POST', '/api/v1/webhook_endpoints', JSON.stringify({ url: 'https://1.1.1.1/hook', description: 'kept' }));
    expect(created.statusCode, created.body).toBe(201);
    for (const payload of ['', '  \n']) {
      const patched = await json('PATCH', `/api/v1/webhook_endpoints/${created.json().id}`, payload);
      expect(patched.statusCode, patched.body).toBe(200);
      // The secret is shown at creation only.
      const { secret: _secret, ...shown } = created.json();
      expect(patched.json()).toEqual(shown);
    }
  });

  it('is {} on a POST too: the schema names what is missing', async () => {
    const response = await json('POST', '/api/v1/customer', '');
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/^Validation failed: /);
    expect(response.json().message).not.toContain('Request body must be a JSON object');
  });

  it('leaves the rest to the usual parser: malformed JSON, arrays and prototype poisoning answer 400', async () => {
    expect((await json('POST', '/api/v1/customer', '{"name": ')).json()).toMatchObject({ error: 'Bad Request', message: 'Malformed JSON in request body' });
    expect((await json('POST', '/api/v1/customer', '[1]')).json()).toMatchObject({ message: 'Validation failed: Request body must be a JSON object' });
    const poisoned = await json('POST', '/api/v1/customer', '{"__proto__": {"admin": true}}');
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.json()).toHaveProperty('error', 'Bad Request');
  });
});
