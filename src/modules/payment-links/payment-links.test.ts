import fs from 'node:fs';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock, systemClock, type Clock } from '../../core/clock.js';
import type { JobRunner } from '../../core/jobs.js';
import type { Tenant } from '../../core/tenancy.js';
import type { Database, Db } from '../../db/client.js';
import { events, jobs, paymentLinks } from '../../db/schema/index.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse, expectSchema } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { createCustomerId, uploadDocumentId } from '../../../test/support/fixtures.js';
import { describeSecurity } from '../../../test/support/security.js';
import { jobSuite, type JobSuite } from '../../../test/support/jobs.js';
import { paymentLinkJobHandlers } from './jobs.js';
import { PAYMENT_LINK_EXPIRE_QUEUE, transitionPaymentLink } from './service.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures through the API.

const DAY = 24 * 60 * 60 * 1000;
/** The test apps' PUBLIC_URL default (`http://HOST:PORT`). */
const ORIGIN = { publicUrl: 'http://127.0.0.1:4000' };


const inDays = (clock: Clock, days: number) => new Date(clock.now().getTime() + days * DAY).toISOString();

const linkBody = (customerId: string, clock: Clock, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  customer_id: customerId,
  currency: 'USD',
  amount: 1000,
  purpose_code: 'P1401',
  expires_at: inDays(clock, 7),
  payment_methods: ['card'],
  ...overrides,
});

interface Link {
  id: string;
  status: string;
  expires_at: string;
  created_at: string;
  [key: string]: unknown;
}

async function createLink(app: App, key: string, body: Record<string, unknown>): Promise<Link> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/payin', headers: bearer(key), payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

const patch = (app: App, key: string, url: string, payload?: Record<string, unknown>) =>
  app.inject({ method: 'PATCH', url, headers: bearer(key), ...(payload ? { payload } : {}) });

const sandbox = (merchant: TestMerchant): Tenant => ({ merchantId: merchant.id, env: 'sandbox' });

/** Moves a link to `action_required` as compliance would, and answers its required rfi_doc_ids. */
async function requireDocuments(db: Db, merchant: TestMerchant, linkId: string, names = ['Passport']): Promise<string[]> {
  const link = await db.transaction((tx) =>
    transitionPaymentLink(ORIGIN, { tx, clock: systemClock, tenant: sandbox(merchant) }, linkId, { to: 'action_required', requiredDocuments: names }));
  return link.rfi_documents!.map((doc) => doc.rfi_doc_id);
}

async function eventsOf(db: Db, entityId: string) {
  return db.select().from(events).where(eq(events.entityId, entityId)).orderBy(events.seq);
}

// ---------------------------------------------------------------------------------------------------------------

describe('POST /api/v1/payin', () => {
  let app: App;
  let db: Db;
  let merchant: TestMerchant;
  let customerId: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    db = (await testEnv()).database.db;
    merchant = await createTestMerchant();
    customerId = await createCustomerId(app, merchant.sandboxSecret);
  });

  const post = (payload: unknown, key = merchant.sandboxSecret) =>
    app.inject({ method: 'POST', url: '/api/v1/payin', headers: bearer(key), payload: payload as Record<string, unknown> });

  it('creates an active link (201) in the contract shape, with its expiry job and payment_link/active event', async () => {
    const expiresAt = inDays(systemClock, 7);
    const response = await post(linkBody(customerId, systemClock, { expires_at: expiresAt }));
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expectResponse('post', '/payin', 201, body);
    expect(body).toEqual({
      id: expect.stringMatching(/^plink_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      customer_id: customerId,
      status: 'active',
      currency: 'USD',
      amount: 1000,
      purpose_code: 'P1401',
      payment_methods: ['card'],
      expires_at: expiresAt.replace(/\.\d{3}Z$/, 'Z'),
      payment_link: `${ORIGIN.publicUrl}/payin/pl/${body.id}`,
      allow_partial_payments: false,
      amount_paid: 0,
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      updated_at: body.created_at,
    });
    const [job] = await db.select().from(jobs).where(eq(jobs.uniqueKey, `expire:${body.id}`));
    expect(job).toMatchObject({ queue: PAYMENT_LINK_EXPIRE_QUEUE, status: 'queued', runAt: new Date(body.expires_at) });
    expect(job!.payload).toEqual({ merchantId: merchant.id, env: 'sandbox', paymentLinkId: body.id });
    const rows = await eventsOf(db, body.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ merchantId: merchant.id, env: 'sandbox', entityType: 'payment_link', eventType: 'active', data: body });
  });

  it('stores and answers every field of the contract, normalising case, and reads it back', async () => {
    const documentId = await uploadDocumentId(app, merchant.sandboxSecret);
    const price = await app.inject({
      method: 'POST', url: '/api/v1/prices', headers: bearer(merchant.sandboxSecret),
      payload: { pricing_type: 'fixed', fees_amount: 100, fees_currency: 'USD' },
    });
    expect(price.statusCode, price.body).toBe(201);
    const created = await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock, {
      currency: 'gbp',
      amount: 29_900,
      purpose_code: 'p1401',
      document_id: documentId,
      invoice_number: 'RG12FF590',
      invoice_description: 'Payment requested for services provided',
      invoice_amount: 30_000,
      reference_number: 'R0001',
      reminder_frequency: 7,
      price_id: price.json().id,
      product: { name: 'ShieldGuard Insurance', description: 'Flexible insurance' },
      notes: { key1: 'value1' },
      bank_account_details: { account_number: '1234567890', bic_primary: 'hdfcinbbdel', bank_customer_id: '7189204715' },
      payment_methods: ['bank_transfer', 'pay_via_bank', 'card'],
      id: 'payin_ignored', status: 'paid', request_id: 'ignored',
    }));
    expectResponse('post', '/payin', 201, created);
    expect(created).toMatchObject({
      status: 'active', currency: 'GBP', amount: 29_900, purpose_code: 'P1401', document_id: documentId,
      invoice_number: 'RG12FF590', invoice_description: 'Payment requested for services provided', invoice_amount: 30_000,
      reference_number: 'R0001', reminder_frequency: 7, price_id: price.json().id,
      product: { name: 'ShieldGuard Insurance', description: 'Flexible insurance' }, notes: { key1: 'value1' },
      bank_account_details: { account_number: '1234567890', bic_primary: 'HDFCINBBDEL', bank_customer_id: '7189204715' },
      payment_methods: ['bank_transfer', 'pay_via_bank', 'card'],
    });
    expect(created.id).not.toBe('payin_ignored');
    expect(created).not.toHaveProperty('request_id');
    const read = await app.inject({ method: 'GET', url: `/api/v1/payin/${created.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.statusCode).toBe(200);
    expectResponse('get', '/payin/{id}', 200, read.json());
    expect(read.json()).toEqual(created);
  });

  it.each(['customer_id', 'amount', 'currency', 'purpose_code', 'expires_at', 'payment_methods'])('requires %s', async (field) => {
    const response = await post(linkBody(customerId, systemClock, { [field]: undefined }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message: expect.stringMatching(/^Validation failed: /) });
  });

  it.each([
    [{ customer_id: 'customer_1' }, 'Validation failed: Customer ID must start with cust_ and be valid.'],
    [{ amount: 0 }, 'Validation failed: Amount must be a positive whole number in the smallest currency unit (e.g., cents)'],
    [{ amount: 10.5 }, 'Validation failed: Amount must be an integer'],
    [{ currency: 'INR' }, 'Validation failed: Currency code must be valid (USD, EUR, GBP, AED, SGD).'],
    [{ payment_methods: [] }, "Validation failed: Payment methods can't be blank"],
    [{ payment_methods: ['card', 'card'] }, 'Validation failed: Payment methods must not repeat a method'],
    [{ purpose_code: 'PYR001' }, 'Validation failed: Purpose code is invalid'],
    [{ purpose_code: ' ' }, "Validation failed: Purpose code can't be blank"],
    [{ expires_at: '2020-01-01T00:00:00Z' }, 'Validation failed: Expires at must be in the future'],
    [{ expires_at: new Date(Date.now() + 200 * DAY).toISOString() }, 'Validation failed: Expires at can be at most 6 months in the future'],
    [{ expires_at: 'tomorrow' }, 'Validation failed: Expires at must be an ISO-8601 timestamp (e.g. 2025-02-18T12:03:44Z)'],
    [{ reminder_frequency: 3 }, 'Validation failed: Reminder frequency must be one of: 1, 2, 7, 14'],
    [{ document_id: 'file_1' }, 'Validation failed: Document ID must start with doc_ and be valid.'],
    [{ price_id: 'fee_1' }, 'Validation failed: Price ID must start with price_ and be valid.'],
    [{ bank_account_details: { account_number: '1' } }, 'Validation failed: Bank account details must include bic_primary or bic_secondary'],
  ])('refuses %j', async (overrides, message) => {
    const response = await post(linkBody(customerId, systemClock, overrides));
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });

  it.each([
    [{ customer_id: 'cust_6819d804aaaaa' }, 'Customer not found'],
    [{ document_id: 'doc_6819d804aaaaa' }, 'Document not found'],
    [{ price_id: 'price_6819d804aaaaa' }, 'Price not found'],
  ])('answers 404 for an unknown reference %j', async (overrides, message) => {
    const response = await post(linkBody(customerId, systemClock, overrides));
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'Not Found', message });
  });
});

describe('GET /api/v1/payin and /api/v1/payin/{id}', () => {
  let app: App;
  let merchant: TestMerchant;
  const customers: string[] = [];
  const created: Link[] = [];
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    customers.push(await createCustomerId(app, merchant.sandboxSecret), await createCustomerId(app, merchant.sandboxSecret));
    for (const customerId of [customers[0]!, customers[1]!, customers[1]!]) {
      created.push(await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock)));
    }
    expect((await patch(app, merchant.sandboxSecret, `/api/v1/payin/${created[2]!.id}/cancel`)).statusCode).toBe(200);
  });

  const listed = async (query: string) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/payin${query}`, headers: bearer(merchant.sandboxSecret) });
    expect(response.statusCode, response.body).toBe(200);
    expectResponse('get', '/payin', 200, response.json());
    return (response.json().data as Link[]).map((link) => link.id).sort();
  };

  it('filters by customer_id and status', async () => {
    expect(await listed(`?customer_id=${customers[1]}`)).toEqual([created[1]!.id, created[2]!.id].sort());
    expect(await listed('?status=cancelled')).toEqual([created[2]!.id]);
    expect(await listed(`?customer_id=${customers[1]}&status=active`)).toEqual([created[1]!.id]);
    expect(await listed('?status=expired')).toEqual([]);
  });

  it('refuses a bad customer_id or status filter', async () => {
    for (const query of ['?customer_id=order_1', '?status=unknown']) {
      const response = await app.inject({ method: 'GET', url: `/api/v1/payin${query}`, headers: bearer(merchant.sandboxSecret) });
      expect(response.statusCode, query).toBe(400);
    }
  });

  it('keeps answering a link made before plink_ ids under its payin_ id: read, listed and paid', async () => {
    const customerId = await createCustomerId(app, merchant.sandboxSecret);
    const made = await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock, { payment_methods: ['bank_transfer'] }));
    const created = made as Link & { currency: string; amount: number };
    const legacy = `payin_${created.id.slice('plink_'.length)}`;
    const { database } = await testEnv();
    await database.db.update(paymentLinks).set({ id: legacy }).where(eq(paymentLinks.id, created.id));
    const read = await app.inject({ method: 'GET', url: `/api/v1/payin/${legacy}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({ id: legacy, status: 'active' });
    const paid = await app.inject({
      method: 'POST', url: '/api/v1/payment/mock', headers: bearer(merchant.sandboxSecret),
      payload: { payin_id: legacy, currency: created.currency, amount: created.amount, payment_method: 'BankTransfer' },
    });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({ status: 'success', payin_id: legacy, payin_type: 'payment_link' });
    const byPayin = await app.inject({ method: 'GET', url: `/api/v1/payment?payin_id=${legacy}`, headers: bearer(merchant.sandboxSecret) });
    expect(byPayin.json().data.map((p: { id: string }) => p.id)).toEqual([paid.json().id]);
  });

  it('answers 404 Payment link not found and 400 for a wrong prefix', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/v1/payin/payin_6819d804aaaaa', headers: bearer(merchant.sandboxSecret) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'Not Found', message: 'Payment link not found', code: 'NOT_FOUND' });
    const wrong = await app.inject({ method: 'GET', url: '/api/v1/payin/order_6819d804aaaaa', headers: bearer(merchant.sandboxSecret) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ message: "Id must start with 'plink_'" });
  });
});

describe('PATCH /api/v1/payin/{id} and /cancel', () => {
  let app: App;
  let db: Db;
  let merchant: TestMerchant;
  let customerId: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    db = (await testEnv()).database.db;
    merchant = await createTestMerchant();
    customerId = await createCustomerId(app, merchant.sandboxSecret);
  });

  it('changes reminder_frequency and expires_at of an active link, and schedules the new expiry', async () => {
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock));
    const expiresAt = new Date(Date.parse(link.expires_at) + 3 * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const response = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}`, { reminder_frequency: 14, expires_at: expiresAt });
    expect(response.statusCode, response.body).toBe(200);
    expectResponse('patch', '/payin/{id}', 200, response.json());
    expect(response.json()).toMatchObject({ id: link.id, status: 'active', reminder_frequency: 14, expires_at: expiresAt });
    const scheduled = await db.select().from(jobs).where(and(eq(jobs.queue, PAYMENT_LINK_EXPIRE_QUEUE)));
    const runAts = scheduled.filter((job) => job.payload.paymentLinkId === link.id).map((job) => job.runAt.toISOString()).sort();
    expect(runAts).toEqual([new Date(link.expires_at).toISOString(), new Date(expiresAt).toISOString()]);
  });

  it.each([
    [{ reminder_frequency: 5 }, 'Validation failed: Reminder frequency must be one of: 1, 2, 7, 14'],
    [{ expires_at: '2020-01-01T00:00:00Z' }, 'Validation failed: Expires at must be in the future'],
    [{ amount: 5 }, expect.stringMatching(/^Validation failed: /)],
  ])('refuses %j', async (payload, message) => {
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock));
    const response = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}`, payload);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });

  it('cancels an active link once, with the payment_link/cancelled event; a cancelled link cannot change', async () => {
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock));
    const response = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}/cancel`);
    expect(response.statusCode, response.body).toBe(200);
    expectResponse('patch', '/payin/{id}/cancel', 200, response.json());
    expect(response.json()).toMatchObject({ id: link.id, status: 'cancelled' });
    expect((await eventsOf(db, link.id)).map((row) => row.eventType)).toEqual(['active', 'cancelled']);

    const again = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}/cancel`);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ message: 'Payment link is cancelled: only an active payment link can be cancelled', code: 'INVALID_STATE' });
    const update = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}`, { reminder_frequency: 1 });
    expect(update.statusCode).toBe(400);
    expect(update.json()).toMatchObject({ message: 'Payment link is cancelled: only an active payment link can be updated' });
    expect((await eventsOf(db, link.id))).toHaveLength(2);
  });

  it('does not cancel a link waiting for documents', async () => {
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock));
    await requireDocuments(db, merchant, link.id);
    const response = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}/cancel`);
    expect(response.statusCode).toBe(400);
  });
});

describe('PATCH /api/v1/payin/{id}/update_rfi and mock_mark_reviewed', () => {
  let app: App;
  let db: Db;
  let merchant: TestMerchant;
  let customerId: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    db = (await testEnv()).database.db;
    merchant = await createTestMerchant();
    customerId = await createCustomerId(app, merchant.sandboxSecret);
  });

  it('takes the documents of an action_required link (under_review), then the mock review makes it active', async () => {
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock));
    const [rfiDocId] = await requireDocuments(db, merchant, link.id);
    const waiting = await app.inject({ method: 'GET', url: `/api/v1/payin/${link.id}`, headers: bearer(merchant.sandboxSecret) });
    expectResponse('get', '/payin/{id}', 200, waiting.json());
    expect(waiting.json().rfi_documents).toEqual([{ rfi_doc_id: rfiDocId, name: 'Passport' }]);

    const early = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}/mock_mark_reviewed`);
    expect(early.statusCode).toBe(400);
    expect(early.json()).toMatchObject({ message: 'Payment link is not under review.' });

    const documentId = await uploadDocumentId(app, merchant.sandboxSecret);
    const answered = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}/update_rfi`, {
      documents: [{ id: documentId, rfi_doc_id: rfiDocId }],
    });
    expect(answered.statusCode, answered.body).toBe(200);
    expectResponse('patch', '/payin/{id}/update_rfi', 200, answered.json());
    expect(answered.json()).toMatchObject({ status: 'under_review' });
    expect(answered.json()).not.toHaveProperty('rfi_documents');

    const reviewed = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}/mock_mark_reviewed`);
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    // The contract types this answer as the request's `PaymentLink`; it is the link as every route answers it.
    expectSchema('PaymentLinkResponse', reviewed.json());
    expect(reviewed.json()).toMatchObject({ status: 'active', payment_link: `${ORIGIN.publicUrl}/payin/pl/${link.id}` });
    expect((await eventsOf(db, link.id)).map((row) => row.eventType)).toEqual(['active', 'action_required', 'under_review', 'active']);
  });

  it('refuses documents for an active link, unknown rfi_doc_ids and missing answers', async () => {
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock));
    const documentId = await uploadDocumentId(app, merchant.sandboxSecret);
    const active = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}/update_rfi`, {
      documents: [{ id: documentId, rfi_doc_id: 'rfidoc_6819d804aaaaa' }],
    });
    expect(active.statusCode).toBe(400);
    expect(active.json()).toMatchObject({ message: 'Payment link is active: documents can only be submitted while it is action_required' });

    await requireDocuments(db, merchant, link.id, ['Passport', 'Proof of Address']);
    const unknown = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}/update_rfi`, {
      documents: [{ id: documentId, rfi_doc_id: 'rfidoc_6819d804aaaaa' }],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ message: 'Validation failed: Invalid rfi_doc_id rfidoc_6819d804aaaaa for this payment link' });
  });

  it('is served in sandbox only: a production key gets the unknown-route 404', async () => {
    const url = '/api/v1/payin/payin_6819d804aaaaa/mock_mark_reviewed';
    const response = await patch(app, merchant.productionSecret, url);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'Not Found', message: `Route PATCH ${url} not found`, code: 'ROUTE_NOT_FOUND' });
    const missing = await patch(app, merchant.sandboxSecret, url);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ message: 'Payment link not found' });
    const other = await createTestMerchant();
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock));
    expect((await patch(app, other.sandboxSecret, `/api/v1/payin/${link.id}/mock_mark_reviewed`)).statusCode).toBe(404);
    expect((await patch(app, merchant.sandboxSecret, '/api/v1/payin/order_6819d804aaaaa/mock_mark_reviewed')).statusCode).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Expiry by the job runner. A database of the suite's own: a runner claims every due job of its queues, and other
// suites (this file's too) leave payment-link jobs on the shared one.

describe('expiry by the payment_links.expire job', () => {
  const clock = new ManualClock('2026-06-01T12:00:00Z');
  let suite: JobSuite;
  let database: Database;
  let app: App;
  let merchant: TestMerchant;
  let customerId: string;
  let runner: JobRunner;

  beforeAll(async () => {
    suite = await jobSuite('payment_links', clock, (deps) => paymentLinkJobHandlers({ ...deps, ...ORIGIN }));
    ({ database, app, merchant, customerId, runner } = suite);
  });

  afterAll(async () => {
    await suite?.close();
  });

  const status = async (id: string) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/payin/${id}`, headers: bearer(merchant.sandboxSecret) });
    return response.json().status as string;
  };

  it('does nothing before expires_at, expires the link at expires_at with its event, and once only', async () => {
    const start = clock.now();
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, clock, { expires_at: inDays(clock, 2) }));
    clock.set(new Date(Date.parse(link.expires_at) - 1000));
    await runner.runDue();
    expect(await status(link.id)).toBe('active');

    clock.set(link.expires_at);
    expect(await runner.runDue()).toBe(1);
    const expired = await app.inject({ method: 'GET', url: `/api/v1/payin/${link.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(expired.json()).toMatchObject({ status: 'expired', updated_at: link.expires_at });
    expectResponse('get', '/payin/{id}', 200, expired.json());
    const rows = await eventsOf(database.db, link.id);
    expect(rows.map((row) => row.eventType)).toEqual(['active', 'expired']);
    expect(rows[1]).toMatchObject({ entityType: 'payment_link', data: expired.json() });

    clock.advance(DAY);
    expect(await runner.runDue()).toBe(0);
    // Re-running the handler (at-least-once delivery) changes nothing.
    const handler = paymentLinkJobHandlers({ db: database.db, ...ORIGIN })[PAYMENT_LINK_EXPIRE_QUEUE]!;
    const payload = { merchantId: merchant.id, env: 'sandbox', paymentLinkId: link.id };
    expect(await handler({ id: 0n, queue: PAYMENT_LINK_EXPIRE_QUEUE, payload, attempt: 1, maxAttempts: 10, tenant: undefined, clock })).toEqual({ status: 'done' });
    expect(await eventsOf(database.db, link.id)).toHaveLength(2);
    clock.set(start);
  });

  it('does not expire a cancelled link', async () => {
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, clock, { expires_at: inDays(clock, 1) }));
    expect((await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}/cancel`)).statusCode).toBe(200);
    clock.set(new Date(Date.parse(link.expires_at) + 1000));
    expect(await runner.runDue()).toBe(1);
    expect(await status(link.id)).toBe('cancelled');
    expect((await eventsOf(database.db, link.id)).map((row) => row.eventType)).toEqual(['active', 'cancelled']);
  });

  it('honours an extended expires_at: the first job does nothing, the new one expires the link', async () => {
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, clock, { expires_at: inDays(clock, 1) }));
    const extended = inDays(clock, 3).replace(/\.\d{3}Z$/, 'Z');
    expect((await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}`, { expires_at: extended })).statusCode).toBe(200);
    clock.set(link.expires_at);
    expect(await runner.runDue()).toBe(1);
    expect(await status(link.id)).toBe('active');
    clock.set(new Date(Date.parse(extended) - 1000));
    expect(await runner.runDue()).toBe(0);
    expect(await status(link.id)).toBe('active');
    clock.set(extended);
    expect(await runner.runDue()).toBe(1);
    expect(await status(link.id)).toBe('expired');
    expect((await eventsOf(database.db, link.id)).map((row) => row.eventType)).toEqual(['active', 'expired']);
  });

  it('honours a shortened expires_at, and the later original job then does nothing', async () => {
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, clock, { expires_at: inDays(clock, 5) }));
    const shortened = inDays(clock, 1).replace(/\.\d{3}Z$/, 'Z');
    expect((await patch(app, merchant.sandboxSecret, `/api/v1/payin/${link.id}`, { expires_at: shortened })).statusCode).toBe(200);
    clock.set(shortened);
    expect(await runner.runDue()).toBe(1);
    expect(await status(link.id)).toBe('expired');
    clock.set(link.expires_at);
    expect(await runner.runDue()).toBe(1);
    expect((await eventsOf(database.db, link.id)).map((row) => row.eventType)).toEqual(['active', 'expired']);
  });

  it('expires a link still under review, and the mock review of an overdue link expires it', async () => {
    const link = await createLink(app, merchant.sandboxSecret, linkBody(customerId, clock, { expires_at: inDays(clock, 1) }));
    await database.db.transaction((tx) => transitionPaymentLink(ORIGIN, { tx, clock, tenant: sandbox(merchant) }, link.id, { to: 'action_required', requiredDocuments: ['Passport'] }));
    clock.set(link.expires_at);
    expect(await runner.runDue()).toBe(1);
    expect(await status(link.id)).toBe('expired');

    // Under review when expires_at passes and reviewed before the job ran: the review expires it, the job then does nothing.
    const reviewed = await createLink(app, merchant.sandboxSecret, linkBody(customerId, clock, { expires_at: inDays(clock, 1) }));
    await database.db.transaction(async (tx) => {
      await transitionPaymentLink(ORIGIN, { tx, clock, tenant: sandbox(merchant) }, reviewed.id, { to: 'action_required', requiredDocuments: ['Passport'] });
      await transitionPaymentLink(ORIGIN, { tx, clock, tenant: sandbox(merchant) }, reviewed.id, { to: 'under_review' });
    });
    clock.set(reviewed.expires_at);
    const response = await patch(app, merchant.sandboxSecret, `/api/v1/payin/${reviewed.id}/mock_mark_reviewed`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ status: 'expired' });
    expect(await runner.runDue()).toBe(1);
    expect((await eventsOf(database.db, reviewed.id)).map((row) => row.eventType)).toEqual(['active', 'action_required', 'under_review', 'expired']);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describeListConventions('GET /api/v1/payin', {
  url: '/api/v1/payin',
  contractPath: '/payin',
  create: async (app, key, _index, clock) => {
    const customerId = await createCustomerId(app, key);
    return (await createLink(app, key, linkBody(customerId, clock))).id;
  },
});

async function ownerLink(app: App, owner: TestMerchant): Promise<string> {
  const customerId = await createCustomerId(app, owner.sandboxSecret);
  return (await createLink(app, owner.sandboxSecret, linkBody(customerId, systemClock))).id;
}

describeSecurity('POST /api/v1/payin', {
  method: 'POST',
  url: () => '/api/v1/payin',
  payload: () => linkBody('cust_6819d7d0aaaaa', systemClock),
});
describeSecurity('GET /api/v1/payin', { method: 'GET', url: () => '/api/v1/payin?per_page=100', listedObject: ownerLink });
describeSecurity('GET /api/v1/payin/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/payin/${id}`,
  notFoundMessage: 'Payment link not found',
  idPrefix: 'plink',
  createObject: ownerLink,
});
describeSecurity('PATCH /api/v1/payin/{id}', {
  method: 'PATCH',
  url: (id) => `/api/v1/payin/${id}`,
  payload: () => ({ reminder_frequency: 7 }),
  notFoundMessage: 'Payment link not found',
  idPrefix: 'plink',
  createObject: ownerLink,
});
describeSecurity('PATCH /api/v1/payin/{id}/cancel', {
  method: 'PATCH',
  url: (id) => `/api/v1/payin/${id}/cancel`,
  notFoundMessage: 'Payment link not found',
  idPrefix: 'plink',
  createObject: ownerLink,
});
{
  // The owner's request must succeed once: the object is an action_required link, the payload its answer.
  let submission: Record<string, unknown> = {};
  describeSecurity('PATCH /api/v1/payin/{id}/update_rfi', {
    method: 'PATCH',
    url: (id) => `/api/v1/payin/${id}/update_rfi`,
    payload: () => submission,
    notFoundMessage: 'Payment link not found',
    idPrefix: 'plink',
    createObject: async (app, owner) => {
      const id = await ownerLink(app, owner);
      const [rfiDocId] = await requireDocuments((await testEnv()).database.db, owner, id);
      submission = { documents: [{ id: await uploadDocumentId(app, owner.sandboxSecret), rfi_doc_id: rfiDocId }] };
      return id;
    },
  });
}
// The production key gets the unknown-route 404 (tested above), so the object cases are tested by hand there.
describeSecurity('PATCH /api/v1/payin/{id}/mock_mark_reviewed', {
  method: 'PATCH',
  url: () => '/api/v1/payin/payin_6819d804aaaaa/mock_mark_reviewed',
});

describe('migration 0025: links paid before amount_paid existed', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it('reads them as paid in full, and leaves every other link as it is', async () => {
    const { database } = await testEnv();
    const customerId = await createCustomerId(app, merchant.sandboxSecret);
    const paid = await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock));
    const active = await createLink(app, merchant.sandboxSecret, linkBody(customerId, systemClock));
    // As 0023 left a link paid before it: status paid, amount_paid 0.
    await database.db.update(paymentLinks).set({ status: 'paid', amountPaid: 0n }).where(eq(paymentLinks.id, paid.id));
    const backfill = fs.readFileSync(new URL('../../../drizzle/0025_backfill_paid_links.sql', import.meta.url), 'utf8');
    await database.db.execute(sql.raw(backfill));
    const amountPaid = async (id: string) =>
      (await database.db.select({ amountPaid: paymentLinks.amountPaid }).from(paymentLinks).where(eq(paymentLinks.id, id)))[0]!.amountPaid;
    expect(await amountPaid(paid.id)).toBe(BigInt(paid.amount as number));
    expect(await amountPaid(active.id)).toBe(0n);
    const read = await app.inject({ method: 'GET', url: `/api/v1/payin/${paid.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.json()).toMatchObject({ status: 'paid', amount_paid: paid.amount });
    expectSchema('PaymentLinkResponse', read.json());
  });
});
