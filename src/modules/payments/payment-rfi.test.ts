import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { events, payments, type PaymentStatus } from '../../db/schema/index.js';
import { bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../../test/support/app.js';
import { expectSchema } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { uploadDocumentId } from '../../../test/support/fixtures.js';
import { describeSecurity } from '../../../test/support/security.js';
import { expectRfiDocumentsRefused } from '../../../test/support/rfi-documents.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures: a 100.00 USD order paid by a mock bank transfer, then put in the status a test needs.

async function payOrder(app: App, key: string): Promise<string> {
  const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() });
  expect(customer.statusCode, customer.body).toBe(201);
  const order = await app.inject({
    method: 'POST', url: '/api/v1/orders', headers: bearer(key),
    payload: { customer_id: customer.json().id, currency: 'USD', amount: 10_000, payment_methods: ['bank_transfer'] },
  });
  expect(order.statusCode, order.body).toBe(201);
  const payment = await app.inject({
    method: 'POST', url: '/api/v1/payment/mock', headers: bearer(key),
    payload: { payin_id: order.json().id, amount: 10_000, currency: 'USD', payment_method: 'BankTransfer' },
  });
  expect(payment.statusCode, payment.body).toBe(201);
  return payment.json().id;
}

/**
 * Sets a payment's status in the database. The sandbox's own way to an `action_required` payment (the magic
 * amount 6623, SANCTION_HIT) is being built alongside; until it settles, these tests set the status directly.
 */
async function setStatus(paymentId: string, status: PaymentStatus): Promise<void> {
  const { database } = await testEnv();
  await database.db.update(payments).set({ status }).where(eq(payments.id, paymentId));
}

async function heldPayment(app: App, key: string): Promise<string> {
  const id = await payOrder(app, key);
  await setStatus(id, 'action_required');
  return id;
}

async function eventsOf(entityId: string) {
  const { database } = await testEnv();
  return database.db.select().from(events).where(eq(events.entityId, entityId)).orderBy(events.seq);
}

// ---------------------------------------------------------------------------------------------------------------

describe('PATCH /api/v1/payment/{id}/update_rfi', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  const updateRfi = (key: string, id: string, payload: unknown) =>
    app.inject({ method: 'PATCH', url: `/api/v1/payment/${id}/update_rfi`, headers: bearer(key), payload: payload as Record<string, unknown> });
  const read = async (id: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/payment/${id}`, headers: bearer(merchant.sandboxSecret) })).json();

  it('moves an action_required payment to under_review with its documents and event, then takes more', async () => {
    const key = merchant.sandboxSecret;
    const id = await heldPayment(app, key);
    const successEvents = (await eventsOf(id)).length;
    const [passport, address] = [await uploadDocumentId(app, key), await uploadDocumentId(app, key)];
    const response = await updateRfi(key, id, { documents: [{ id: passport, rfi_doc_id: 'rfidoc_68c8dffedhMHD' }, { id: address }] });
    expect(response.statusCode, response.body).toBe(200);
    const payment = response.json();
    expectSchema('Payment', payment, '2026');
    expect(payment).toMatchObject({ id, status: 'under_review' });
    expect(payment.documents).toEqual([
      { id: passport, type: 'passport', status: 'uploaded', rfi_doc_id: 'rfidoc_68c8dffedhMHD' },
      { id: address, type: 'passport', status: 'uploaded', rfi_doc_id: null },
    ]);
    expect(await read(id)).toEqual(payment);
    const recorded = (await eventsOf(id)).slice(successEvents);
    expect(recorded.map((row) => [row.entityType, row.eventType])).toEqual([['payment', 'under_review']]);
    expect(recorded[0]!.data).toEqual(payment);

    // Under review: more documents (a repeat keeps its place), the status stays, no new event.
    const more = await uploadDocumentId(app, key);
    const again = await updateRfi(key, id, { documents: [{ id: more }, { id: passport }] });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ status: 'under_review' });
    expect(again.json().documents.map((doc: { id: string }) => doc.id)).toEqual([passport, address, more]);
    expect(again.json().documents[0]).toEqual(payment.documents[0]);
    expect(await eventsOf(id)).toHaveLength(successEvents + 1);
  });

  it('records one under_review event for concurrent requests, and keeps every document', async () => {
    const key = merchant.sandboxSecret;
    const id = await heldPayment(app, key);
    const before = (await eventsOf(id)).length;
    const ids = await Promise.all([0, 1, 2, 3].map(() => uploadDocumentId(app, key)));
    const responses = await Promise.all(ids.map((doc) => updateRfi(key, id, { documents: [{ id: doc }] })));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    const payment = await read(id);
    expect(payment.status).toBe('under_review');
    expect(payment.documents.map((doc: { id: string }) => doc.id).sort()).toEqual([...ids].sort());
    expect((await eventsOf(id)).slice(before).map((row) => row.eventType)).toEqual(['under_review']);
  });

  it('refuses a payment with no pending RFI with INVALID_STATE', async () => {
    const key = merchant.sandboxSecret;
    const documentId = await uploadDocumentId(app, key);
    for (const status of ['success', 'failed', 'in_progress'] as const) {
      const id = await payOrder(app, key);
      if (status !== 'success') await setStatus(id, status);
      const before = await eventsOf(id);
      const response = await updateRfi(key, id, { documents: [{ id: documentId }] });
      expect(response.statusCode, status).toBe(400);
      expect(response.json()).toEqual({ error: 'Bad Request', message: `Payment is ${status}: it has no pending RFI`, code: 'INVALID_STATE' });
      expect(await read(id)).toMatchObject({ status, documents: [] });
      expect(await eventsOf(id)).toEqual(before);
    }
  });

  it('refuses invalid bodies and documents that are not the merchant\'s, changing nothing', async () => {
    const key = merchant.sandboxSecret;
    const id = await heldPayment(app, key);
    const before = await eventsOf(id);
    const mine = await uploadDocumentId(app, key);
    const theirs = await uploadDocumentId(app, (await createTestMerchant()).sandboxSecret);
    const production = await uploadDocumentId(app, merchant.productionSecret);
    for (const payload of [{}, { documents: [] }, { documents: [{ rfi_doc_id: 'rfidoc_68c8dffedhMHD' }] }, { documents: [{ id: mine, extra: 1 }] }]) {
      const response = await updateRfi(key, id, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().code, JSON.stringify(payload)).toBe('VALIDATION_FAILED');
    }
    await expectRfiDocumentsRefused((payload) => updateRfi(key, id, payload), { mine, theirs, production });
    expect(await read(id)).toMatchObject({ status: 'action_required', documents: [] });
    expect(await eventsOf(id)).toEqual(before);
  });
});

let securityDocumentId = '';
describeSecurity('PATCH /api/v1/payment/{id}/update_rfi', {
  method: 'PATCH',
  url: (id) => `/api/v1/payment/${id}/update_rfi`,
  payload: () => ({ documents: [{ id: securityDocumentId }] }),
  createObject: async (app, owner) => {
    securityDocumentId = await uploadDocumentId(app, owner.sandboxSecret);
    return heldPayment(app, owner.sandboxSecret);
  },
  notFoundMessage: 'Payment not found',
  idPrefix: 'payt',
});
