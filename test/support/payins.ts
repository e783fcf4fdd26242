// What payment tests set up and read back through the API: customers, orders (one made from a quote), payment links
// and prices, the merchant's fee bearer, mock payments and their funds, the balances, a held transfer's shape, and an
// entity's stored events.
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import { systemClock, type Clock } from '../../src/core/clock.js';
import { events } from '../../src/db/schema/index.js';
import { ADMIN_TOKEN, bearer, customerBody, type TestMerchant } from './app.js';
import { expectSchema } from './contract.js';
import { testEnv } from './env.js';

/** An order or a payment link as the API answers it (the fields tests read). */
export type Payin = { id: string; customer_id: string; amount: number; currency: string; created_at: string; expires_at: string };

/** A balance line of GET /api/v1/balances. */
export type BalanceLine = { currency: string; amount: number };

/** A new customer of the merchant; answers its id. */
export async function createCustomer(app: App, key: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

/** An order of USD 100.00 by bank transfer or card, for a new customer, unless `overrides` say otherwise. */
export async function createOrder(app: App, key: string, overrides: Record<string, unknown> = {}): Promise<Payin> {
  const response = await app.inject({
    method: 'POST', url: '/api/v1/orders', headers: bearer(key),
    payload: { customer_id: await createCustomer(app, key), currency: 'USD', amount: 10_000, payment_methods: ['bank_transfer', 'card'], ...overrides },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/**
 * A payment link of USD 100.00 by bank transfer for a new customer, expiring a week after `clock`'s now, unless
 * `overrides` say otherwise.
 */
export async function createLink(app: App, key: string, overrides: Record<string, unknown> = {}, clock: Clock = systemClock): Promise<Payin> {
  const response = await app.inject({
    method: 'POST', url: '/api/v1/payin', headers: bearer(key),
    payload: {
      customer_id: await createCustomer(app, key), currency: 'USD', amount: 10_000, purpose_code: 'P1401',
      expires_at: new Date(clock.now().getTime() + 7 * 86_400_000).toISOString(), payment_methods: ['bank_transfer'], ...overrides,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/** A payin quote EUR -> USD for USD 100.00, and the order made from it: its source amount and fx_fee in EUR. */
export async function quotedOrder(app: App, key: string): Promise<{ order: Payin; sourceAmount: number; fxFee: number }> {
  const created = await app.inject({
    method: 'POST', url: '/api/v1/quotes', headers: bearer(key),
    payload: { resource: 'payin', source_currency: 'EUR', destination_currency: 'USD', destination_amount: 10_000 },
  });
  expect(created.statusCode, created.body).toBe(201);
  const quote = created.json().quotes[0] as { id: string; source_amount: number; fees: { fx_fee: { amount: number } } };
  const order = await createOrder(app, key, { quote_id: quote.id, amount: undefined, currency: undefined, payment_methods: undefined });
  expect(order).toMatchObject({ currency: 'USD', amount: 10_000 });
  return { order, sourceAmount: quote.source_amount, fxFee: quote.fees.fx_fee.amount };
}

/** Cancels a payment link. */
export async function cancelLink(app: App, key: string, id: string): Promise<void> {
  const response = await app.inject({ method: 'PATCH', url: `/api/v1/payin/${id}/cancel`, headers: bearer(key) });
  expect(response.statusCode, response.body).toBe(200);
}

/** The status of an order, as GET /api/v1/orders/{id} answers it. */
export async function orderStatus(app: App, key: string, id: string): Promise<string> {
  const response = await app.inject({ method: 'GET', url: `/api/v1/orders/${id}`, headers: bearer(key) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().status;
}

/** A price of the merchant (its default unless an order names it); answers its id. */
export async function createPrice(app: App, key: string, body: Record<string, unknown>): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/prices', headers: bearer(key), payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

/** Sets who bears the merchant's payin fees, through the operator API. */
export async function setFeeBearer(app: App, merchant: TestMerchant, bearerName: 'merchant' | 'customer'): Promise<void> {
  const response = await app.inject({
    method: 'PATCH', url: `/admin/v1/merchants/${merchant.id}`, headers: bearer(ADMIN_TOKEN), payload: { payin_fee_bearer: bearerName },
  });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json().payin_fee_bearer).toBe(bearerName);
}

/** POST /api/v1/payment/mock, a BankTransfer unless `payload` names another payment_method; answers the response. */
export function mockPayment(app: App, key: string, payload: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/api/v1/payment/mock', headers: bearer(key), payload: { payment_method: 'BankTransfer', ...payload } });
}

/** PATCH /api/v1/payment/{id}/mock-funds-available; answers the response. */
export function fundsAvailable(app: App, key: string, id: string) {
  return app.inject({ method: 'PATCH', url: `/api/v1/payment/${id}/mock-funds-available`, headers: bearer(key) });
}

/** The merchant's available and pending balances (GET /api/v1/balances). */
export async function balances(app: App, key: string): Promise<{ available: BalanceLine[]; pending: BalanceLine[] }> {
  const response = await app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(key) });
  expect(response.statusCode).toBe(200);
  return response.json();
}

/** The events of an entity, as stored in the events table, oldest first. */
export async function eventsOf(entityId: string) {
  const { database } = await testEnv();
  return database.db.select().from(events).where(eq(events.entityId, entityId)).orderBy(events.seq);
}

/** A transfer recorded `action_required` with `code`, its funds held: 201, the contract's Payment, no paid_at. */
export function expectHeld(
  response: { statusCode: number; body: string; json(): Record<string, unknown> }, code: string, fields: Record<string, unknown> = {},
): void {
  expect(response.statusCode, response.body).toBe(201);
  expectSchema('Payment', response.json(), '2026');
  expect(response.json()).toMatchObject({ status: 'action_required', error_code: code, funds_available: false, ...fields });
  expect(response.json().paid_at).toBeUndefined();
}
