import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import type { Tenant } from '../../core/tenancy.js';
import { events } from '../../db/schema/index.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse, expectSchema } from '../../../test/support/contract.js';
import { onPostgres, testEnv } from '../../../test/support/env.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { createCustomerId, uploadDocumentId } from '../../../test/support/fixtures.js';
import { describeSecurity } from '../../../test/support/security.js';
import { transitionOrder } from './service.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures through the API.


async function createQuote(app: App, key: string, body: Record<string, unknown> = {}) {
  const response = await app.inject({
    method: 'POST', url: '/api/v1/quotes', headers: bearer(key),
    payload: { resource: 'payin', source_currency: 'EUR', destination_currency: 'USD', destination_amount: 10_000, ...body },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().quotes[0] as { id: string; destination_amount: number; destination_currency: string; expires_at: string };
}

const orderBody = (customerId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  customer_id: customerId,
  currency: 'USD',
  amount: 1000,
  payment_methods: ['card'],
  ...overrides,
});

async function createOrder(app: App, key: string, body: Record<string, unknown>) {
  const response = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(key), payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; customer_id: string; status: string; created_at: string; [key: string]: unknown };
}

const sandbox = (merchant: TestMerchant): Tenant => ({ merchantId: merchant.id, env: 'sandbox' });

/** Moves an order to `action_required` as compliance would, and answers its required rfi_doc_ids. */
async function requireDocuments(merchant: TestMerchant, orderId: string, names = ['Passport']): Promise<string[]> {
  const { database } = await testEnv();
  const order = await database.db.transaction((tx) =>
    transitionOrder({ tx, clock: new ManualClock(new Date()), tenant: sandbox(merchant) }, orderId, { to: 'action_required', requiredDocuments: names }));
  return order.rfi_documents!.map((doc) => doc.rfi_doc_id);
}

async function eventsOf(entityId: string) {
  const { database } = await testEnv();
  return database.db.select().from(events).where(eq(events.entityId, entityId)).orderBy(events.seq);
}

// ---------------------------------------------------------------------------------------------------------------

describe('POST /api/v1/orders', () => {
  let app: App;
  let merchant: TestMerchant;
  let customerId: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    customerId = await createCustomerId(app, merchant.sandboxSecret);
  });

  const post = (payload: unknown, key = merchant.sandboxSecret) =>
    app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(key), payload: payload as Record<string, unknown> });

  it('creates an active order (201) in the contract shape, expiring 3 months later', async () => {
    const response = await post(orderBody(customerId));
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expectResponse('post', '/orders', 201, body);
    expect(body).toEqual({
      id: expect.stringMatching(/^order_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      customer_id: customerId,
      status: 'active',
      currency: 'USD',
      amount: 1000,
      payment_methods: ['card'],
      expires_at: expect.any(String),
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      updated_at: body.created_at,
    });
    expect(parseInt(body.id.slice(6, 14), 16)).toBe(Date.parse(body.created_at) / 1000);
    const created = new Date(body.created_at);
    const expires = new Date(body.expires_at);
    expect(expires.getUTCMonth()).toBe((created.getUTCMonth() + 3) % 12);
  });

  it('stores and answers every field of the contract, normalising case, and reads it back', async () => {
    const documentId = await uploadDocumentId(app, merchant.sandboxSecret);
    const price = await app.inject({
      method: 'POST', url: '/api/v1/prices', headers: bearer(merchant.sandboxSecret),
      payload: { pricing_type: 'fixed', fees_amount: 100, fees_currency: 'USD' },
    });
    expect(price.statusCode, price.body).toBe(201);
    const full = orderBody(customerId, {
      currency: 'gbp',
      amount: 29_900,
      document_id: documentId,
      purpose_code: 'p1401',
      invoice_number: 'RG12FF590',
      invoice_description: 'Payment requested for services provided',
      invoice_amount: 30_000,
      reference_number: 'R0001',
      product: { name: 'ShieldGuard Insurance', description: 'Flexible insurance' },
      notes: { key1: 'value1', key2: 'value2' },
      bank_account_details: { account_number: '1234567890', bic_primary: 'hdfcinbbdel', bank_customer_id: '7189204715' },
      payment_methods: ['bank_transfer', 'pay_via_bank', 'card'],
      request_id: 'full-fields-1',
      price_id: price.json().id,
      id: 'order_ignored', status: 'paid',
    });
    const created = await createOrder(app, merchant.sandboxSecret, full);
    expectResponse('post', '/orders', 201, created);
    expect(created).toMatchObject({
      status: 'active',
      currency: 'GBP',
      amount: 29_900,
      document_id: documentId,
      purpose_code: 'P1401',
      invoice_number: 'RG12FF590',
      invoice_description: 'Payment requested for services provided',
      invoice_amount: 30_000,
      reference_number: 'R0001',
      product: { name: 'ShieldGuard Insurance', description: 'Flexible insurance' },
      notes: { key1: 'value1', key2: 'value2' },
      bank_account_details: { account_number: '1234567890', bic_primary: 'HDFCINBBDEL', bank_customer_id: '7189204715' },
      payment_methods: ['bank_transfer', 'pay_via_bank', 'card'],
      request_id: 'full-fields-1',
      price_id: price.json().id,
    });
    expect(created.id).not.toBe('order_ignored');
    const read = await app.inject({ method: 'GET', url: `/api/v1/orders/${created.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.json()).toEqual(created);
  });

  it('writes the orders/active event with the created snapshot, in the same transaction', async () => {
    const created = await createOrder(app, merchant.sandboxSecret, orderBody(customerId));
    const rows = await eventsOf(created.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ merchantId: merchant.id, env: 'sandbox', entityType: 'orders', eventType: 'active', data: created });
  });

  it.each([
    ['customer_id', "Validation failed: Customer id can't be blank"],
    ['amount', "Validation failed: Amount can't be blank"],
    ['currency', "Validation failed: Currency can't be blank"],
    ['payment_methods', "Validation failed: Payment methods can't be blank"],
  ])('requires %s', async (field, message) => {
    const response = await post(orderBody(customerId, { [field]: undefined }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });

  it.each([
    [{ customer_id: '  ' }, "Validation failed: Customer id can't be blank"],
    [{ customer_id: 'customer_1' }, 'Validation failed: Customer ID must start with cust_ and be valid.'],
    [{ amount: 0 }, 'Validation failed: Amount must be a positive whole number in the smallest currency unit (e.g., cents)'],
    [{ amount: -100 }, 'Validation failed: Amount must be a positive whole number in the smallest currency unit (e.g., cents)'],
    [{ amount: 2 ** 53 }, 'Validation failed: Amount must be a positive whole number in the smallest currency unit (e.g., cents)'],
    [{ amount: '1000' }, 'Validation failed: Amount must be an integer'],
    [{ amount: 10.5 }, 'Validation failed: Amount must be an integer'],
    [{ currency: 'INR' }, 'Validation failed: Currency code must be valid (USD, EUR, GBP, AED, SGD).'],
    [{ currency: 'DOLLARS' }, 'Validation failed: Currency code must be valid (USD, EUR, GBP, AED, SGD).'],
    [{ currency: 840 }, 'Validation failed: Currency must be a string'],
    [{ payment_methods: [] }, "Validation failed: Payment methods can't be blank"],
    [{ payment_methods: 'card' }, 'Validation failed: Payment methods must be an array'],
    [{ payment_methods: ['cash'] }, 'Validation failed: Payment methods 0 must be one of: bank_transfer, pay_via_bank, card'],
    [{ payment_methods: ['card', 'card'] }, 'Validation failed: Payment methods must not repeat a method'],
    [{ document_id: 'file_123' }, 'Validation failed: Document ID must start with doc_ and be valid.'],
    [{ purpose_code: 'PYR001' }, 'Validation failed: Purpose code is invalid'],
    [{ purpose_code: 'S0001' }, 'Validation failed: Purpose code is invalid'],
    [{ invoice_amount: -1 }, 'Validation failed: Invoice amount must be between 0 and 9007199254740991'],
    [{ invoice_amount: '10' }, 'Validation failed: Invoice amount must be an integer'],
    [{ invoice_number: 'x'.repeat(256) }, 'Validation failed: Invoice number is too long (maximum is 255 characters)'],
    [{ invoice_description: 'x'.repeat(1001) }, 'Validation failed: Invoice description is too long (maximum is 1000 characters)'],
    [{ reference_number: 'x'.repeat(256) }, 'Validation failed: Reference number is too long (maximum is 255 characters)'],
    [{ product: { description: 'no name' } }, "Validation failed: Name can't be blank"],
    [{ product: { name: '   ' } }, "Validation failed: Product name can't be blank"],
    [{ product: 'insurance' }, 'Validation failed: Product must be an object'],
    [{ notes: { key1: 42 } }, 'Validation failed: Notes key1 must be a string'],
    [{ notes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, 'Validation failed: Notes can have at most 50 keys'],
    [{ bank_account_details: { account_number: '123' } }, 'Validation failed: Bank account details must include bic_primary or bic_secondary'],
    [{ bank_account_details: { bic_primary: 'HDFCINBBDEL' } }, "Validation failed: Account number can't be blank"],
    [{ request_id: '' }, "Validation failed: Request id can't be blank"],
    [{ request_id: '   ' }, "Validation failed: Request id can't be blank"],
    [{ request_id: 'r'.repeat(65) }, 'Validation failed: Request id is too long (maximum is 64 characters)'],
    [{ price_id: 'fee_1' }, 'Validation failed: Price ID must start with price_ and be valid.'],
    [{ split_ids: 'split_1' }, 'Validation failed: Split ids must be an array'],
    [{ quote_id: ' ', amount: undefined, currency: undefined, payment_methods: undefined }, "Validation failed: Quote id can't be blank"],
  ])('rejects %o with a clear message', async (override, message) => {
    const response = await post(orderBody(customerId, override));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });

  it('answers 404 Customer not found for an unknown customer, another merchant\'s and the production one', async () => {
    const other = await createTestMerchant();
    const othersCustomer = await createCustomerId(app, other.sandboxSecret);
    const productionCustomer = await createCustomerId(app, merchant.productionSecret);
    for (const id of ['cust_6819d7d0aaaaa', othersCustomer, productionCustomer]) {
      const response = await post(orderBody(id));
      expect(response.statusCode, id).toBe(404);
      expect(response.json()).toEqual({ error: 'Not Found', message: 'Customer not found', code: 'NOT_FOUND' });
    }
  });

  it('answers 404 for a document or price that is not the merchant\'s', async () => {
    const other = await createTestMerchant();
    const othersDocument = await uploadDocumentId(app, other.sandboxSecret);
    const document = await post(orderBody(customerId, { document_id: othersDocument }));
    expect(document.statusCode).toBe(404);
    expect(document.json()).toMatchObject({ message: 'Document not found' });
    const price = await post(orderBody(customerId, { price_id: 'price_6819d7d0aaaaa' }));
    expect(price.statusCode).toBe(404);
    expect(price.json()).toMatchObject({ message: 'Price not found' });
  });

  it('answers 400 Order already exists for this request_id on a repeat, and keeps the first order', async () => {
    const first = await createOrder(app, merchant.sandboxSecret, orderBody(customerId, { request_id: 'sequential-1' }));
    const again = await post(orderBody(customerId, { request_id: 'sequential-1', amount: 5 }));
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ error: 'Bad Request', message: 'Order already exists for this request_id', code: 'DUPLICATE_REQUEST_ID' });
    const list = await app.inject({ method: 'GET', url: '/api/v1/orders?request_id=sequential-1', headers: bearer(merchant.sandboxSecret) });
    expect(list.json().data).toEqual([first]);
    // The same request_id in the other environment or for another merchant is another order.
    const productionCustomer = await createCustomerId(app, merchant.productionSecret);
    expect((await post(orderBody(productionCustomer, { request_id: 'sequential-1' }), merchant.productionSecret)).statusCode).toBe(201);
  });

  it('creates exactly one order under 10 concurrent identical requests', async () => {
    const body = orderBody(customerId, { request_id: `concurrent-${Date.now()}` });
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(body)));
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(400)]);
    for (const refused of responses.filter((r) => r.statusCode === 400)) {
      expect(refused.json().message).toBe('Order already exists for this request_id');
    }
    const winner = responses.find((r) => r.statusCode === 201)!.json();
    const list = await app.inject({ method: 'GET', url: `/api/v1/orders?request_id=${body.request_id}`, headers: bearer(merchant.sandboxSecret) });
    expect(list.json().data.map((o: { id: string }) => o.id)).toEqual([winner.id]);
    // Rolled-back duplicates left no event behind.
    const { database } = await testEnv();
    const orderEvents = await database.db.select().from(events)
      .where(and(eq(events.merchantId, merchant.id), eq(events.entityType, 'orders')));
    expect(orderEvents.filter((e) => (e.data as { request_id?: string }).request_id === body.request_id)).toHaveLength(1);
  });

  it.each([
    ['a NUL byte in notes (jsonb refuses \\u0000)', { notes: { k: 'a\u0000b' } }, 'Notes k'],
    ['a lone surrogate in product', { product: { name: '\ud800x' } }, 'Product name'],
  ])('answers 400 for %s, and stores no order', async (_, fields, field) => {
    const requestId = `text-${field.replace(' ', '-')}-${Date.now()}`;
    const response = await post(orderBody(customerId, { ...fields, request_id: requestId }));
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toEqual({
      error: 'Bad Request', message: `Validation failed: ${field} must not contain NUL bytes or unpaired surrogates`, code: 'VALIDATION_FAILED',
    });
    const stored = await app.inject({ method: 'GET', url: `/api/v1/orders?request_id=${requestId}`, headers: bearer(merchant.sandboxSecret) });
    expect(stored.json().data).toEqual([]);
  });

  it('answers clear 4xx for malformed JSON and a non-object body', async () => {
    const headers = { ...bearer(merchant.sandboxSecret), 'content-type': 'application/json' };
    const malformed = await app.inject({ method: 'POST', url: '/api/v1/orders', headers, payload: '{"amount": ' });
    expect(malformed.json()).toMatchObject({ error: 'Bad Request', message: 'Malformed JSON in request body' });
    const array = await app.inject({ method: 'POST', url: '/api/v1/orders', headers, payload: '[1]' });
    expect(array.json()).toMatchObject({ error: 'Bad Request', message: 'Validation failed: Request body must be a JSON object' });
  });
});

describe('POST /api/v1/orders with quote_id', () => {
  const clock = new ManualClock('2026-02-01T09:00:00Z');
  let app: App;
  let merchant: TestMerchant;
  let customerId: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ clock }));
    merchant = await createTestMerchant(clock);
    customerId = await createCustomerId(app, merchant.sandboxSecret);
  });

  const post = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(merchant.sandboxSecret), payload });

  it('takes the amount and currency of a payin quote, expires with it, and marks it used by the order', async () => {
    const quote = await createQuote(app, merchant.sandboxSecret);
    const order = await createOrder(app, merchant.sandboxSecret, { customer_id: customerId, quote_id: quote.id, reference_number: 'Q-1' });
    expectResponse('post', '/orders', 201, order);
    expect(order).toMatchObject({
      status: 'active',
      amount: quote.destination_amount,
      currency: 'USD',
      quote_id: quote.id,
      reference_number: 'Q-1',
      payment_methods: ['bank_transfer', 'pay_via_bank', 'card'],
      expires_at: quote.expires_at,
    });
    const read = await app.inject({ method: 'GET', url: `/api/v1/quotes/${quote.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.json()).toMatchObject({ status: 'used', used_by: order.id });
  });

  it.each([
    ['amount', 1000],
    ['currency', 'USD'],
    ['price_id', 'price_6819d7d0aaaaa'],
    ['payment_methods', ['card']],
    ['split_ids', ['split_1']],
  ])('refuses %s with quote_id', async (field, value) => {
    const quote = await createQuote(app, merchant.sandboxSecret);
    const response = await post({ customer_id: customerId, quote_id: quote.id, [field]: value });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message: `${field} cannot be specified when quote_id is present` });
  });

  it('answers Quote has already been used for a second order on one quote', async () => {
    const quote = await createQuote(app, merchant.sandboxSecret);
    await createOrder(app, merchant.sandboxSecret, { customer_id: customerId, quote_id: quote.id });
    const again = await post({ customer_id: customerId, quote_id: quote.id });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ error: 'Bad Request', message: 'Quote has already been used', code: 'QUOTE_USED' });
  });

  it('answers Quote has expired after the quote lifetime, and leaves no order behind', async () => {
    const quote = await createQuote(app, merchant.sandboxSecret);
    clock.advance(30 * 60 * 1000);
    const response = await post({ customer_id: customerId, quote_id: quote.id, request_id: 'expired-quote' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message: 'Quote has expired', code: 'QUOTE_EXPIRED' });
    // The refusal rolled back the request_id claim too: the request can be retried with a fresh quote.
    const fresh = await createQuote(app, merchant.sandboxSecret);
    await createOrder(app, merchant.sandboxSecret, { customer_id: customerId, quote_id: fresh.id, request_id: 'expired-quote' });
  });

  it('refuses payout and conversion quotes, unknown quotes, and quotes into a currency orders do not take', async () => {
    const payout = await createQuote(app, merchant.sandboxSecret, { resource: 'payout', source_currency: 'USD', destination_currency: 'EUR', destination_amount: undefined, source_amount: 1000 });
    const cases: Array<[string, string]> = [
      [payout.id, 'Quote is not a payin quote'],
      ['quote_6819d7d0aaaaa', 'Quote not found'],
      [(await createQuote(app, merchant.sandboxSecret, { destination_currency: 'INR' })).id, 'Validation failed: Currency code must be valid (USD, EUR, GBP, AED, SGD).'],
    ];
    const other = await createTestMerchant(clock);
    cases.push([(await createQuote(app, other.sandboxSecret)).id, 'Quote not found']);
    for (const [quoteId, message] of cases) {
      const response = await post({ customer_id: customerId, quote_id: quoteId });
      expect(response.statusCode, quoteId).toBe(400);
      expect(response.json().message).toBe(message);
    }
    const unused = await app.inject({ method: 'GET', url: `/api/v1/quotes/${payout.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(unused.json().status).toBe('active');
  });

  it('answers the duplicate request_id before looking at the quote', async () => {
    const quote = await createQuote(app, merchant.sandboxSecret);
    await createOrder(app, merchant.sandboxSecret, { customer_id: customerId, quote_id: quote.id, request_id: 'quoted-twice' });
    const again = await post({ customer_id: customerId, quote_id: quote.id, request_id: 'quoted-twice' });
    expect(again.json().message).toBe('Order already exists for this request_id');
  });
});

describeListConventions('GET /api/v1/orders', {
  url: '/api/v1/orders',
  contractPath: '/orders',
  create: async (app, key) => {
    const customerId = await createCustomerId(app, key);
    return (await createOrder(app, key, orderBody(customerId))).id;
  },
});

describe('GET /api/v1/orders filters', () => {
  let app: App;
  let merchant: TestMerchant;
  const customers: string[] = [];
  const created: Array<{ id: string; customer_id: string }> = [];

  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    customers.push(await createCustomerId(app, merchant.sandboxSecret), await createCustomerId(app, merchant.sandboxSecret));
    for (let i = 0; i < 6; i++) {
      const order = await createOrder(app, merchant.sandboxSecret, orderBody(customers[i % 2]!, { request_id: `filter-${i}` }));
      created.push(order);
    }
    await requireDocuments(merchant, created[1]!.id);
    const { database } = await testEnv();
    await database.db.transaction((tx) => transitionOrder({ tx, clock: new ManualClock(new Date()), tenant: sandbox(merchant) }, created[2]!.id, { to: 'paid' }));
  });

  const list = (query: string) => app.inject({ method: 'GET', url: `/api/v1/orders${query}`, headers: bearer(merchant.sandboxSecret) });
  const ids = (body: { data: Array<{ id: string }> }) => body.data.map((o) => o.id);

  it('filters by customer_id, newest first', async () => {
    const body = (await list(`?customer_id=${customers[1]}`)).json();
    expectResponse('get', '/orders', 200, body);
    expect(ids(body)).toEqual([created[5]!.id, created[3]!.id, created[1]!.id]);
  });

  it('filters by status, and shows rfi_documents only on action_required orders', async () => {
    const actionRequired = (await list('?status=action_required')).json();
    expectResponse('get', '/orders', 200, actionRequired);
    expect(ids(actionRequired)).toEqual([created[1]!.id]);
    expect(actionRequired.data[0].rfi_documents).toEqual([{ rfi_doc_id: expect.stringMatching(/^rfidoc_/), name: 'Passport' }]);
    expect(ids((await list('?status=paid')).json())).toEqual([created[2]!.id]);
    const active = (await list('?status=active')).json();
    expect(ids(active)).toEqual([created[5]!.id, created[4]!.id, created[3]!.id, created[0]!.id]);
    expect(active.data.every((o: Record<string, unknown>) => !('rfi_documents' in o))).toBe(true);
  });

  it('filters by request_id and combines filters', async () => {
    expect(ids((await list('?request_id=filter-4')).json())).toEqual([created[4]!.id]);
    expect(ids((await list(`?request_id=filter-4&customer_id=${customers[1]}`)).json())).toEqual([]);
    expect(ids((await list(`?status=active&customer_id=${customers[0]}`)).json())).toEqual([created[4]!.id, created[0]!.id]);
    expect((await list('?request_id=nothing')).json()).toEqual({ data: [], page_meta: { current: 1, previous: null, next: null, per_page: 20, pages: 0, count: 0 } });
  });

  it.each([
    ['?customer_id=order_1', 'Invalid customer_id'],
    ['?status=settled', 'Validation failed: Status must be one of: active, paid, failed, action_required, cancelled, under_review, expired'],
  ])('answers 400 for %s', async (query, message) => {
    const response = await list(query);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });
});

describe('GET /api/v1/orders/{id}', () => {
  it('answers in the contract shape, and 404 Order not found for an unknown id', async () => {
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    const order = await createOrder(app, merchant.sandboxSecret, orderBody(await createCustomerId(app, merchant.sandboxSecret)));
    const response = await app.inject({ method: 'GET', url: `/api/v1/orders/${order.id}`, headers: bearer(merchant.sandboxSecret) });
    expectResponse('get', '/orders/{id}', 200, response.json());
    expectSchema('OrderResponse', response.json());
    const missing = await app.inject({ method: 'GET', url: '/api/v1/orders/order_6819d8046mpKt', headers: bearer(merchant.sandboxSecret) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'Not Found', message: 'Order not found', code: 'NOT_FOUND' });
  });
});

describe('PATCH /api/v1/orders/{id}/update_rfi', () => {
  let app: App;
  let merchant: TestMerchant;
  let customerId: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    customerId = await createCustomerId(app, merchant.sandboxSecret);
  });

  const patch = (id: string, payload: unknown, path = 'update_rfi') =>
    app.inject({ method: 'PATCH', url: `/api/v1/orders/${id}/${path}`, headers: bearer(merchant.sandboxSecret), payload: payload as Record<string, unknown> });

  async function actionRequiredOrder(names = ['Passport', 'Proof of Address']) {
    const order = await createOrder(app, merchant.sandboxSecret, orderBody(customerId));
    return { id: order.id, rfiDocIds: await requireDocuments(merchant, order.id, names) };
  }

  it('shows the required documents on the action_required order, in the contract shape', async () => {
    const order = await actionRequiredOrder();
    const read = await app.inject({ method: 'GET', url: `/api/v1/orders/${order.id}`, headers: bearer(merchant.sandboxSecret) });
    expectResponse('get', '/orders/{id}', 200, read.json());
    expect(read.json()).toMatchObject({
      status: 'action_required',
      rfi_documents: [{ rfi_doc_id: order.rfiDocIds[0], name: 'Passport' }, { rfi_doc_id: order.rfiDocIds[1], name: 'Proof of Address' }],
    });
    const [created, actionRequired] = await eventsOf(order.id);
    expect(created).toMatchObject({ eventType: 'active' });
    expect(actionRequired).toMatchObject({ entityType: 'orders', eventType: 'action_required', data: read.json() });
  });

  it('moves the order to under_review with one document per requirement, and records orders/under_review', async () => {
    const order = await actionRequiredOrder();
    const documents = [
      { id: await uploadDocumentId(app, merchant.sandboxSecret), rfi_doc_id: order.rfiDocIds[1] },
      { id: await uploadDocumentId(app, merchant.sandboxSecret), rfi_doc_id: order.rfiDocIds[0] },
    ];
    const response = await patch(order.id, { documents });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expectResponse('patch', '/orders/{id}/update_rfi', 200, body);
    expect(body.status).toBe('under_review');
    expect(body).not.toHaveProperty('rfi_documents');
    const last = (await eventsOf(order.id)).at(-1);
    expect(last).toMatchObject({ entityType: 'orders', eventType: 'under_review', data: body });
    // A second submission finds the order no longer waiting for documents.
    const again = await patch(order.id, { documents });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ message: 'Order is under_review: documents can only be submitted while it is action_required', code: 'INVALID_STATE' });
  });

  it('is also served on the hyphenated path the live API uses', async () => {
    const order = await actionRequiredOrder(['Passport']);
    const response = await patch(order.id, { documents: [{ id: await uploadDocumentId(app, merchant.sandboxSecret), rfi_doc_id: order.rfiDocIds[0] }] }, 'update-rfi');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().status).toBe('under_review');
  });

  it('answers 400 for an order that is not action_required', async () => {
    const order = await createOrder(app, merchant.sandboxSecret, orderBody(customerId));
    const documentId = await uploadDocumentId(app, merchant.sandboxSecret);
    const response = await patch(order.id, { documents: [{ id: documentId, rfi_doc_id: 'rfidoc_6819d8046mpKt' }] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Bad Request',
      message: 'Order is active: documents can only be submitted while it is action_required',
      code: 'INVALID_STATE',
    });
  });

  it('refuses bad submissions and leaves the order action_required', async () => {
    const order = await actionRequiredOrder();
    const mine = await uploadDocumentId(app, merchant.sandboxSecret);
    const other = await createTestMerchant();
    const others = await uploadDocumentId(app, other.sandboxSecret);
    const [passport, address] = order.rfiDocIds as [string, string];
    const cases: Array<[unknown, number, string]> = [
      [{ documents: [{ id: mine, rfi_doc_id: passport }] }, 400, `Validation failed: Documents are missing for rfi_doc_id ${address}`],
      [{ documents: [{ id: mine, rfi_doc_id: 'rfidoc_6819d8046mpKt' }] }, 400, 'Validation failed: Invalid rfi_doc_id rfidoc_6819d8046mpKt for this order'],
      [{ documents: [{ id: mine, rfi_doc_id: passport }, { id: mine, rfi_doc_id: passport }] }, 400, `Validation failed: Documents repeat rfi_doc_id ${passport}`],
      [{ documents: [{ id: 'file_1', rfi_doc_id: passport }, { id: mine, rfi_doc_id: address }] }, 400, 'Validation failed: Document ID must start with doc_ and be valid.'],
      [{ documents: [{ id: others, rfi_doc_id: passport }, { id: mine, rfi_doc_id: address }] }, 404, 'Document not found'],
      [{ documents: [] }, 400, 'Validation failed: Documents is invalid'],
      [{}, 400, "Validation failed: Documents can't be blank"],
      [{ documents: [{ id: mine }] }, 400, "Validation failed: Rfi doc id can't be blank"],
      [{ documents: [{ id: mine, rfi_doc_id: passport, note: 'x' }] }, 400, "Validation failed: Unknown field 'note'"],
      [{ documents: [{ id: mine, rfi_doc_id: passport }, { id: mine, rfi_doc_id: address }], status: 'active' }, 400, "Validation failed: Unknown field 'status'"],
    ];
    for (const [payload, status, message] of cases) {
      const response = await patch(order.id, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect(response.json().message, JSON.stringify(payload)).toBe(message);
    }
    const read = await app.inject({ method: 'GET', url: `/api/v1/orders/${order.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.json().status).toBe('action_required');
  });
});

describe('transitionOrder (for payments and compliance)', () => {
  it('follows the lifecycle: terminal statuses stay, unknown orders are 404', async () => {
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    const order = await createOrder(app, merchant.sandboxSecret, orderBody(await createCustomerId(app, merchant.sandboxSecret)));
    const { database } = await testEnv();
    const clock = new ManualClock(new Date(Date.parse(order.created_at as string) + 5000));
    const paid = await database.db.transaction((tx) => transitionOrder({ tx, clock, tenant: sandbox(merchant) }, order.id, { to: 'paid' }));
    expect(paid).toMatchObject({ status: 'paid', updated_at: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    expect((await eventsOf(order.id)).map((e) => e.eventType)).toEqual(['active', 'paid']);
    await expect(database.db.transaction((tx) => transitionOrder({ tx, clock, tenant: sandbox(merchant) }, order.id, { to: 'active' })))
      .rejects.toMatchObject({ statusCode: 400, message: 'Order cannot move from paid to active' });
    await expect(database.db.transaction((tx) => transitionOrder({ tx, clock, tenant: { merchantId: merchant.id, env: 'production' } }, order.id, { to: 'failed' })))
      .rejects.toMatchObject({ statusCode: 404, message: 'Order not found' });
  });

  it.skipIf(!onPostgres)('applies concurrent changes of one order one after the other (row lock)', async () => {
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    const order = await createOrder(app, merchant.sandboxSecret, orderBody(await createCustomerId(app, merchant.sandboxSecret)));
    const { database } = await testEnv();
    const clock = new ManualClock(new Date());
    const outcomes = await Promise.allSettled(['paid', 'failed', 'cancelled'].map((to) =>
      database.db.transaction((tx) => transitionOrder({ tx, clock, tenant: sandbox(merchant) }, order.id, { to: to as 'paid' }))));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect((await eventsOf(order.id)).map((e) => e.eventType)).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Security.

const ownerCustomers = new Map<string, string>();
async function ownerOrder(app: App, owner: TestMerchant): Promise<string> {
  let customerId = ownerCustomers.get(owner.id);
  if (!customerId) {
    customerId = await createCustomerId(app, owner.sandboxSecret);
    ownerCustomers.set(owner.id, customerId);
  }
  return (await createOrder(app, owner.sandboxSecret, orderBody(customerId))).id;
}

describeSecurity('POST /api/v1/orders', { method: 'POST', url: () => '/api/v1/orders', payload: () => orderBody('cust_6819d7d0aaaaa') });
describeSecurity('GET /api/v1/orders', {
  method: 'GET',
  url: () => '/api/v1/orders?per_page=100',
  listedObject: ownerOrder,
});
describeSecurity('GET /api/v1/orders/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/orders/${id}`,
  notFoundMessage: 'Order not found',
  idPrefix: 'order',
  createObject: ownerOrder,
});
for (const path of ['update_rfi', 'update-rfi']) {
  // The owner's request must succeed once: the object is an action_required order, the payload its answer.
  let submission: Record<string, unknown> = {};
  describeSecurity(`PATCH /api/v1/orders/{id}/${path}`, {
    method: 'PATCH',
    url: (id) => `/api/v1/orders/${id}/${path}`,
    payload: () => submission,
    notFoundMessage: 'Order not found',
    idPrefix: 'order',
    createObject: async (app, owner) => {
      const id = await ownerOrder(app, owner);
      const [rfiDocId] = await requireDocuments(owner, id);
      submission = { documents: [{ id: await uploadDocumentId(app, owner.sandboxSecret), rfi_doc_id: rfiDocId }] };
      return id;
    },
  });
}
