import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse, expectSchema } from '../../../test/support/contract.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';

async function createCustomer(app: App, key: string, body = customerBody()) {
  const response = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; email: string; created_at: string };
}

describe('POST /api/v1/customer', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  const post = (payload: unknown, key = merchant.sandboxSecret) =>
    app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: payload as Record<string, unknown> });

  it('creates a customer (201) in the contract shape, normalising case and dates', async () => {
    const response = await post(customerBody({ country: 'Ind', nationality: 'usa', dob: '29-11-2003', email: 'Mixed.Case@Example.com' }));
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expectResponse('post', '/customer', 201, body);
    expect(body).toMatchObject({
      name: "Prabhat's Arts & Crafts Pvt Ltd",
      customer_type: 'individual',
      email: 'Mixed.Case@Example.com',
      country: 'IND',
      nationality: 'USA',
      dob: '2003-11-29',
      status: 'active',
    });
    expect(body.id).toMatch(/^cust_[0-9a-f]{8}[0-9A-Za-z]{5}$/);
    expect(body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // The id's time part is the creation time in Unix seconds.
    expect(parseInt(body.id.slice(5, 13), 16)).toBe(Date.parse(body.created_at) / 1000);
  });

  it('reads back what it created, and omits optional fields that were not sent', async () => {
    const created = await createCustomer(app, merchant.sandboxSecret, customerBody({ phone: undefined, dob: undefined, nationality: undefined }));
    const response = await app.inject({ method: 'GET', url: `/api/v1/customer/${created.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(created);
    expect(created).not.toHaveProperty('phone');
    expect(created).not.toHaveProperty('dob');
  });

  it.each([
    ['name', "Validation failed: Name can't be blank"],
    ['customer_type', "Validation failed: Customer type can't be blank"],
    ['email', "Validation failed: Email can't be blank"],
    ['address', "Validation failed: Address can't be blank"],
    ['city', "Validation failed: City can't be blank"],
    ['state', "Validation failed: State can't be blank"],
    ['country', "Validation failed: Country can't be blank"],
    ['pincode', "Validation failed: Pincode can't be blank"],
  ])('requires %s', async (field, message) => {
    const response = await post(customerBody({ [field]: undefined }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });

  it.each([
    [{ name: '   ' }, "Validation failed: Name can't be blank"],
    [{ name: 'A' }, 'Validation failed: Name is too short (minimum is 2 characters)'],
    [{ name: 'x'.repeat(129) }, 'Validation failed: Name is too long (maximum is 128 characters)'],
    [{ name: 'snake_case_name' }, 'Validation failed: Name is invalid'],
    [{ customer_type: 'company' }, 'Validation failed: Customer type must be one of: individual, business'],
    [{ email: 'not-an-email' }, 'Validation failed: Email is invalid'],
    [{ phone: '12345' }, 'Validation failed: Phone number format is invalid'],
    [{ dob: '2003/11/29' }, 'Validation failed: Date of birth must be a date in YYYY-MM-DD format'],
    [{ dob: '2003-02-30' }, 'Validation failed: Date of birth must be a valid date'],
    [{ dob: '2999-01-01' }, 'Validation failed: Date of birth must be in the past'],
    [{ country: 'IN' }, 'Validation failed: Country must be a valid 3-letter ISO code (e.g., IND, USA)'],
    [{ country: 'XYZ' }, 'Validation failed: Country must be a valid 3-letter ISO code (e.g., IND, USA)'],
    [{ nationality: 'India' }, 'Validation failed: Nationality must be a valid 3-letter ISO code (e.g., IND, USA)'],
    [{ city: 42 }, 'Validation failed: City must be a string'],
    [{ kyc: { pan_number: 'ABC' } }, 'Validation failed: Kyc pan number is invalid'],
  ])('rejects %o with a clear message', async (override, message) => {
    const response = await post(customerBody(override));
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain(message);
  });

  it('rejects a duplicate email in the same country, case-insensitively, without storing a second customer', async () => {
    const body = customerBody();
    await createCustomer(app, merchant.sandboxSecret, body);
    const duplicate = await post({ ...body, email: String(body.email).toUpperCase() });
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.json()).toMatchObject({ error: 'Bad Request', message: 'Validation failed: Email has already been taken' });
    const list = await app.inject({ method: 'GET', url: `/api/v1/customer?email_address=${body.email}`, headers: bearer(merchant.sandboxSecret) });
    expect(list.json().page_meta.count).toBe(1);
    // Same email in another country, or in the other environment, is another customer.
    expect((await post({ ...body, country: 'USA' })).statusCode).toBe(201);
    expect((await post(body, merchant.productionSecret)).statusCode).toBe(201);
  });

  it('stores the PAN of LRS customers as tax_identification_number', async () => {
    const created = await createCustomer(app, merchant.sandboxSecret, customerBody({ kyc: { pan_number: 'bfqpg7654r' } }));
    expect(created).toMatchObject({ tax_identification_number: 'BFQPG7654R' });
    expectSchema('Customer', created, '2026');
  });

  it('answers clear 4xx JSON for malformed JSON, a non-object body and an oversized body', async () => {
    const malformed = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: { ...bearer(merchant.sandboxSecret), 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: 'Bad Request', message: 'Malformed JSON in request body' });
    const array = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: { ...bearer(merchant.sandboxSecret), 'content-type': 'application/json' }, payload: '[1,2]' });
    expect(array.statusCode).toBe(400);
    expect(array.json()).toMatchObject({ error: 'Bad Request', message: 'Validation failed: Request body must be a JSON object' });
    const huge = await post(customerBody({ address: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: 'Payload Too Large' });
    const text = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: { ...bearer(merchant.sandboxSecret), 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ error: 'Unsupported Media Type', message: 'Unsupported Content-Type: text/plain' });
  });

  it('writes a customer.created event in the outbox with the created snapshot', async () => {
    const { testEnv } = await import('../../../test/support/env.js');
    const { events } = await import('../../db/schema/index.js');
    const { eq } = await import('drizzle-orm');
    const created = await createCustomer(app, merchant.sandboxSecret);
    const { database } = await testEnv();
    const rows = await database.db.select().from(events).where(eq(events.entityId, created.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ merchantId: merchant.id, env: 'sandbox', entityType: 'customer', eventType: 'created', data: created });
  });
});

describeListConventions('GET /api/v1/customer', {
  url: '/api/v1/customer',
  contractPath: '/customer',
  create: async (app, key) => (await createCustomer(app, key)).id,
});

describe('GET /api/v1/customer filters', () => {
  let app: App;
  let merchant: TestMerchant;
  const created: Array<{ id: string; email: string }> = [];

  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    for (let i = 0; i < 10; i++) {
      const body = customerBody({ customer_type: i % 5 === 0 ? 'business' : 'individual', ...(i === 3 ? { kyc: { pan_number: 'ABCDE1234F' } } : {}) });
      created.push(await createCustomer(app, merchant.sandboxSecret, body));
    }
  });

  const list = (query: string) => app.inject({ method: 'GET', url: `/api/v1/customer${query}`, headers: bearer(merchant.sandboxSecret) });

  it('filters by customer_type', async () => {
    const business = (await list('?customer_type=business&per_page=100')).json();
    expectResponse('get', '/customer', 200, business);
    expect(business.page_meta.count).toBe(2);
    expect(business.data.every((c: { customer_type: string }) => c.customer_type === 'business')).toBe(true);
  });

  it('filters by email_address, case-insensitively, and answers an empty page when nothing matches', async () => {
    const one = created[3]!;
    const byEmail = (await list(`?email_address=${encodeURIComponent(one.email.toUpperCase())}`)).json();
    expect(byEmail.data.map((c: { id: string }) => c.id)).toEqual([one.id]);
    const none = (await list('?email_address=nobody@example.com')).json();
    expect(none).toEqual({ data: [], page_meta: { current: 1, previous: null, next: null, per_page: 20, pages: 0, count: 0 } });
  });

  it('filters by tax_identification_number (PAN) after trim and upper-casing', async () => {
    const byPan = (await list('?tax_identification_number=%20abcde1234f%20')).json();
    expect(byPan.data.map((c: { id: string }) => c.id)).toEqual([created[3]!.id]);
    expectResponse('get', '/customer', 200, byPan, '2026');
  });

  it.each([
    ['?customer_type=robot', 'Validation failed: Customer type must be one of: individual, business'],
    ['?email_address=nope', 'Validation failed: Email address is invalid'],
    ['?tax_identification_number=123', 'Tax identification number is not a valid PAN'],
  ])('answers 400 for %s', async (query, message) => {
    const response = await list(query);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message: expect.stringContaining(message) });
  });
});

describe('GET /api/v1/customer/{id}', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it('answers in the contract shape', async () => {
    const created = await createCustomer(app, merchant.sandboxSecret);
    const response = await app.inject({ method: 'GET', url: `/api/v1/customer/${created.id}`, headers: bearer(merchant.sandboxSecret) });
    expectResponse('get', '/customer/{id}', 200, response.json());
  });
});

describeSecurity('POST /api/v1/customer', { method: 'POST', url: () => '/api/v1/customer', payload: () => customerBody() });
describeSecurity('GET /api/v1/customer', {
  method: 'GET',
  url: () => '/api/v1/customer?per_page=100',
  listedObject: async (app, owner) => (await createCustomer(app, owner.sandboxSecret)).id,
});
describeSecurity('GET /api/v1/customer/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/customer/${id}`,
  notFoundMessage: 'Customer not found',
  idPrefix: 'cust',
  createObject: async (app, owner) => (await createCustomer(app, owner.sandboxSecret)).id,
});
