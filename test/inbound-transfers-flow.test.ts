// Inbound bank transfers end to end (issue 14), as a merchant meets them: a USD virtual account; a transfer naming its
// order in the reference pays it; one that matches nothing is held (PAYIN_NOT_FOUND) until connect-payin pays the order
// the merchant makes for it; both settled by payments, carried to success by the sandbox rail; then automatic
// settlement on the operator's schedule of a third transfer, matched by its amount; the ledger verified.
// HTTP only (inject), on the worker's database: PGlite, or PostgreSQL with DATABASE_URL.
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { ManualClock } from '../src/core/clock.js';
import { settlements } from '../src/db/schema/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from './support/app.js';
import { expectResponse, expectSchema } from './support/contract.js';
import { testEnv } from './support/env.js';
import { expectLedgerConsistent } from './support/ledger.js';
import { balances as balancesOf, createPrice } from './support/payins.js';
import { registerWithdrawalAccount } from './support/settlements.js';

type Method = 'GET' | 'POST' | 'PATCH';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// A Monday morning; every time below follows from it (the app's clock does not run by itself).
const clock = new ManualClock('2026-03-02T09:00:00Z');
const admin = bearer(ADMIN_TOKEN);
let app: App;
let railDelaySeconds: number;

async function call(method: Method, url: string, headers: Record<string, string>, payload?: unknown) {
  const response = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Json }) });
  return { status: response.statusCode, body: response.json() as Json };
}

/** The answer's body, which must have `status`. */
async function expectStatus(status: number, method: Method, url: string, headers: Record<string, string>, payload?: unknown): Promise<Json> {
  const response = await call(method, url, headers, payload);
  expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBe(status);
  return response.body;
}

describe('inbound transfers end to end', () => {
  let merchant: TestMerchant;
  let key: Record<string, string>;

  beforeAll(async () => {
    const built = await buildTestApp({ clock });
    app = built.app;
    railDelaySeconds = built.config.sandboxRailDelaySeconds;
    merchant = await createTestMerchant(clock);
    key = bearer(merchant.sandboxSecret);
  });

  /** The merchant's USD available and pending amounts (0 where a list has no USD), the body checked against the contract. */
  const balances = async () => {
    const body = await balancesOf(app, merchant.sandboxSecret);
    expectResponse('get', '/balances', 200, body);
    const usd = (list: Array<{ currency: string; amount: number }>) => list.find((b) => b.currency === 'USD')?.amount ?? 0;
    return { available: usd(body.available), pending: usd(body.pending) };
  };
  const payment = async (id: string) => {
    const body = await expectStatus(200, 'GET', `/api/v1/payment/${id}`, key);
    expectSchema('Payment', body, '2026');
    return body;
  };
  const orderStatus = async (id: string) => {
    const body = await expectStatus(200, 'GET', `/api/v1/orders/${id}`, key);
    expectResponse('get', '/orders/{id}', 200, body);
    return body.status;
  };
  const settlement = async (id: string) => {
    const body = await expectStatus(200, 'GET', `/api/v1/settlements/${id}`, key);
    expectResponse('get', '/settlements/{id}', 200, body);
    return body;
  };
  const listSettlements = async () => {
    const body = await expectStatus(200, 'GET', '/api/v1/settlements?per_page=100', key);
    expectResponse('get', '/settlements', 200, body);
    return body.data as Json[];
  };
  /** The entity's events, oldest first, as `entity_type.event_type`. */
  const eventsOf = async (id: string) => {
    const body = await expectStatus(200, 'GET', `/api/v1/events?entity_id=${id}&per_page=100`, key);
    return (body.data as Json[]).map((e) => `${e.entity_type}.${e.event_type}`).reverse();
  };
  /** Moves the merchant's sandbox clock (the operator's route) and answers what ran on the way. */
  const advanceTo = async (to: string): Promise<Record<string, number>> => {
    const body = await expectStatus(200, 'POST', `/admin/v1/merchants/${merchant.id}/sandbox/clock/advance`, admin, { to });
    expect(Date.parse(body.now)).toBe(Date.parse(to));
    return body.ran;
  };
  const sandboxNow = async () => new Date((await expectStatus(200, 'GET', '/api/v1/sandbox/clock', key)).now);
  const secondsLater = (from: Date, seconds: number) => new Date(from.getTime() + seconds * 1000).toISOString();

  async function newOrder(customerId: string, amount: number): Promise<Json> {
    const order = await expectStatus(201, 'POST', '/api/v1/orders', key, {
      customer_id: customerId, currency: 'USD', amount, payment_methods: ['bank_transfer'], purpose_code: 'P0802',
      product: { name: 'Semester fee' },
    });
    expectResponse('post', '/orders', 201, order);
    expect(order).toMatchObject({ status: 'active', amount, currency: 'USD' });
    return order;
  }

  async function mockTransfer(accountNumber: string, amount: number, reference?: string): Promise<Json> {
    const body = await expectStatus(201, 'POST', '/api/v1/virtual-accounts/mock-transfer', key, {
      account_number: accountNumber, amount, currency: 'USD', remitter_name: 'Vaibhav LRS', remitter_account_number: '5454545454',
      ...(reference === undefined ? {} : { reference }),
    });
    expectSchema('Payment', body, '2026');
    return body;
  }

  async function fundsAvailable(id: string): Promise<void> {
    const body = await expectStatus(200, 'PATCH', `/api/v1/payment/${id}/mock-funds-available`, key);
    expect(body.data).toMatchObject({ id, funds_available: true });
    expectSchema('Payment', body.data, '2026');
  }

  it('pays by reference, holds and connects an unmatched transfer, settles both, settles a third on the schedule; the ledger verifies', async () => {
    // 1. A 1.5 % price (the merchant's default), a USD local virtual account, a customer and an order of USD 100.00.
    await createPrice(app, merchant.sandboxSecret, { pricing_type: 'percentage', bps: 150 });
    const account = await expectStatus(201, 'POST', '/api/v1/virtual-accounts', key, { payment_type: 'local', currency: 'USD' });
    expectResponse('post', '/virtual-accounts', 201, account);
    expect(account).toMatchObject({ currency: 'USD', status: 'active', account_number: expect.any(String) });
    const customer = await expectStatus(201, 'POST', '/api/v1/customer', key, customerBody());
    expectResponse('post', '/customer', 201, customer);
    const first = await newOrder(customer.id, 10_000);

    // 2. 100.00 arrives quoting the order in its reference: the order is paid, its fee (150) taken, the net pending.
    clock.advance(60_000);
    const paidByReference = await mockTransfer(account.account_number, 10_000, `Invoice ${first.id} semester fee`);
    expect(paidByReference).toMatchObject({
      status: 'success', payin_id: first.id, payin_type: 'orders', customer_id: customer.id,
      payment_currency: 'USD', payment_amount: 10_000, converted_amount: 10_000, requested_amount: 10_000,
      fees: { txn_fee: { currency: 'USD', amount: 150 } }, funds_available: false, paid_at: expect.any(String),
      payment_method: {
        type: 'bank_transfer',
        details: {
          sender_name: 'Vaibhav LRS', sender_account_number: '5454545454', receiver_account_number: account.account_number,
          remittance_information: `Invoice ${first.id} semester fee`, transfer_type: 'local', external_reference: expect.any(String),
        },
      },
    });
    expect(paidByReference).not.toHaveProperty('error_code');
    expect(await orderStatus(first.id)).toBe('paid');
    expect(await balances()).toEqual({ available: 0, pending: 9_850 });

    // 3. 75.00 that names no order and matches none (the only order is paid): held, off the balances.
    clock.advance(60_000);
    const held = await mockTransfer(account.account_number, 7_500);
    expect(held).toMatchObject({
      status: 'action_required', error_code: 'PAYIN_NOT_FOUND', payin_id: null, payment_amount: 7_500, funds_available: false,
      payment_method: { type: 'bank_transfer', details: { receiver_account_number: account.account_number } },
    });
    expect(held).not.toHaveProperty('paid_at');
    expect(held.fees).toEqual({});
    expect(await balances()).toEqual({ available: 0, pending: 9_850 });
    // Held, it cannot take funds available or a settlement.
    const notYet = await call('PATCH', `/api/v1/payment/${held.id}/mock-funds-available`, key);
    expect(notYet.status).toBe(400);
    expect(notYet.body).toMatchObject({ code: 'INVALID_STATE', message: 'Payment must be in success status' });

    // The merchant makes the order the payer meant; eligible-payins lists exactly it, at what was received.
    clock.advance(60_000);
    const second = await newOrder(customer.id, 7_500);
    const eligible = await expectStatus(200, 'GET', `/api/v1/payment/${held.id}/eligible-payins`, key);
    expect(eligible).toEqual({
      data: [{
        payin_id: second.id, payin_type: 'orders', customer_id: customer.id, requested_currency: 'USD', requested_amount: 7_500,
        payment_currency: 'USD', payment_amount: 7_500, created_at: expect.any(String), expires_at: expect.any(String),
      }],
    });
    // The order's times, to the millisecond (the order shows whole seconds, this list milliseconds).
    expect(Date.parse(eligible.data[0].created_at)).toBe(Date.parse(second.created_at));
    expect(Date.parse(eligible.data[0].expires_at)).toBe(Date.parse(second.expires_at));
    const connected = await expectStatus(200, 'POST', `/api/v1/payment/${held.id}/connect-payin`, key, { payin_id: second.id });
    expectSchema('Payment', connected, '2026');
    expect(connected).toMatchObject({
      id: held.id, status: 'success', payin_id: second.id, payin_type: 'orders', customer_id: customer.id,
      payment_amount: 7_500, converted_amount: 7_500, fees: { txn_fee: { currency: 'USD', amount: 113 } }, paid_at: expect.any(String),
    });
    expect(connected).not.toHaveProperty('error_code');
    expect(await payment(held.id)).toEqual(connected);
    expect(await orderStatus(second.id)).toBe('paid');
    // The held 7,500 reached the pending balance net of its fee (ceil(112.5) = 113), once.
    expect(await balances()).toEqual({ available: 0, pending: 9_850 + 7_387 });
    expect(await eventsOf(held.id)).toEqual(['payment.action_required', 'payment.success']);
    // Connected once: a second connect is refused.
    const again = await call('POST', `/api/v1/payment/${held.id}/connect-payin`, key, { payin_id: second.id });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(/^Payment is success: /) });

    // 4. Both made available, settled by payments to the withdrawal account, carried to success by the sandbox rail.
    clock.advance(60_000);
    await fundsAvailable(paidByReference.id);
    await fundsAvailable(held.id);
    expect(await balances()).toEqual({ available: 17_237, pending: 0 });
    await registerWithdrawalAccount(app, merchant.id);
    const created = await expectStatus(201, 'POST', '/api/v1/settlements', key, { payment_ids: [paidByReference.id, held.id] });
    expectResponse('post', '/settlements', 201, created);
    expect(created).toMatchObject({ status: 'in_progress', amount: 17_237, currency: 'USD', payment_method: 'swift_transfer' });
    expect(created).not.toHaveProperty('utr');
    expect(await balances()).toEqual({ available: 0, pending: 0 });
    for (const id of [paidByReference.id, held.id]) expect((await payment(id)).settlement_id).toBe(created.id);

    const transactions = await expectStatus(200, 'GET', `/api/v1/settlements/${created.id}/transactions`, key);
    expectResponse('get', '/settlements/{id}/transactions', 200, transactions);
    const line = (source: Json, credit: number, fee: number) => ({
      id: `txn_${source.id.slice('payt_'.length)}`, source_id: source.id, source_type: 'payment',
      credit: { amount: credit, currency: 'USD' }, debit: { amount: 0, currency: 'USD' },
      fees: { fx_fee: { amount: 0, currency: 'USD' }, txn_fee: { amount: fee, currency: 'USD' } },
      settled_amount: { amount: credit - fee, currency: 'USD' },
      processed_at: expect.any(String), created_at: source.created_at, updated_at: expect.any(String),
    });
    // Newest first: the held transfer arrived after the first.
    expect(transactions.data).toEqual([line(held, 7_500, 113), line(paidByReference, 10_000, 150)]);

    // The rail answers SANDBOX_RAIL_DELAY_SECONDS after the settlement: not a second before.
    const settledAt = await sandboxNow();
    expect((await advanceTo(secondsLater(settledAt, railDelaySeconds - 1)))['settlements.rail'] ?? 0).toBe(0);
    expect((await settlement(created.id)).status).toBe('in_progress');
    expect((await advanceTo(secondsLater(settledAt, railDelaySeconds)))['settlements.rail']).toBe(1);
    expect(await settlement(created.id)).toMatchObject({ id: created.id, status: 'success', amount: 17_237, utr: expect.stringMatching(/^GLMOSB[0-9A-Z]{14}$/) });
    expect(await eventsOf(created.id)).toEqual(['settlement.in_progress', 'settlement.success']);
    expect(await balances()).toEqual({ available: 0, pending: 0 });

    // 5. Automatic settlement, one day after payment, of USD.
    const schedule = await expectStatus(200, 'PATCH', `/admin/v1/merchants/${merchant.id}`, admin, { settlement_schedule: { delay_days: 1, currencies: ['USD'] } });
    expect(schedule.settlement_schedule).toEqual({ delay_days: 1, currencies: ['USD'] });
    // 50.00 that names nothing but the amount of the one active order: it pays that order.
    const third = await newOrder(customer.id, 5_000);
    const paidByAmount = await mockTransfer(account.account_number, 5_000, 'school fees');
    expect(paidByAmount).toMatchObject({ status: 'success', payin_id: third.id, payment_amount: 5_000, fees: { txn_fee: { currency: 'USD', amount: 75 } } });
    expect(await orderStatus(third.id)).toBe('paid');
    await fundsAvailable(paidByAmount.id);
    expect(await balances()).toEqual({ available: 4_925, pending: 0 });

    // Paid on 2 March: nothing is settled before the run of 3 March at 00:30 UTC, which settles it as kind `schedule`.
    expect((await sandboxNow()).toISOString().slice(0, 10)).toBe('2026-03-02');
    expect((await advanceTo('2026-03-03T00:29:59Z'))['settlements.schedule'] ?? 0).toBe(0);
    expect(await listSettlements()).toHaveLength(1);
    expect((await advanceTo('2026-03-03T00:30:30Z'))['settlements.schedule']).toBe(1);
    const [scheduled, ...older] = await listSettlements();
    expect(older.map((s) => s.id)).toEqual([created.id]);
    expect(scheduled).toMatchObject({ status: 'in_progress', amount: 4_925, currency: 'USD', created_at: '2026-03-03T00:30:00.000Z' });
    expect((await payment(paidByAmount.id)).settlement_id).toBe(scheduled!.id);
    // Its kind is not in the API; the row says what made it.
    const { database } = await testEnv();
    const [row] = await database.db.select({ kind: settlements.kind }).from(settlements)
      .where(and(eq(settlements.merchantId, merchant.id), eq(settlements.id, scheduled!.id)));
    expect(row?.kind).toBe('schedule');
    expect(await balances()).toEqual({ available: 0, pending: 0 });
    const transactionsOfScheduled = await expectStatus(200, 'GET', `/api/v1/settlements/${scheduled!.id}/transactions`, key);
    expect(transactionsOfScheduled.data).toEqual([line(paidByAmount, 5_000, 75)]);

    expect((await advanceTo(secondsLater(new Date('2026-03-03T00:30:00Z'), railDelaySeconds)))['settlements.rail']).toBe(1);
    expect(await settlement(scheduled!.id)).toMatchObject({ status: 'success', utr: expect.stringMatching(/^GLMOSB[0-9A-Z]{14}$/) });

    // 6. The operator's ledger verification is clean, for the merchant and the whole ledger.
    const verify = await expectStatus(200, 'GET', `/admin/v1/ledger/verify?merchant_id=${merchant.id}`, admin);
    expect(verify).toMatchObject({ ok: true, scope: { merchant_id: merchant.id }, problems: [] });
    await expectLedgerConsistent(merchant.id);
  });
});
