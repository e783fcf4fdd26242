// What a payer is asked for and what reaches the merchant: FX payments (live rate and an order's quote), the
// customer fee bearer, payment links paid through the mock, and the sandbox's sanctions hit. Expected amounts are
// computed here from the rate table by brute force, not with the pricing code under test.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant } from '../../../test/support/app.js';
import { expectSchema } from '../../../test/support/contract.js';
import { expectLedgerConsistent } from '../../../test/support/ledger.js';
import {
  balances, cancelLink, createLink, createOrder, createPrice, eventsOf, expectHeld, mockPayment, orderStatus, quotedOrder, setFeeBearer,
} from '../../../test/support/payins.js';

/**
 * The built-in table's AED per USD (exact, as USD is the table's base: the other direction is a rounded cross
 * rate), and the default markup (FX_MARKUP_BPS).
 */
const AED_PER_USD = 36_725n; // 3.6725
const MARKUP_BPS = 50n;

/**
 * The smallest USD amount (cents) that, less a markup of ceil(S × 50 / 10000), converts to at least `fils` at
 * AED = USD × 3.6725, rounded down: found by walking S, so that it checks the closed-form pricing independently.
 */
function usdDue(fils: bigint): { amount: bigint; fee: bigint } {
  const filsOf = (cents: bigint) => (cents * AED_PER_USD) / 10_000n;
  let s = (fils * 10_000n) / AED_PER_USD - 10n;
  for (;; s++) {
    const fee = (s * MARKUP_BPS + 9_999n) / 10_000n;
    if (filsOf(s - fee) >= fils) return { amount: s, fee };
  }
}

describe('payments in another currency (FX)', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('converts at the live mid rate with the markup as fx_fee; the merchant is credited in the order currency', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const order = await createOrder(app, key, { currency: 'AED', amount: 36_725 });
    const due = usdDue(36_725n);

    // A transfer of another amount than the one due is held (its funds off the balances), the order stays payable.
    const wrong = await mockPayment(app, key, { payin_id: order.id, currency: 'USD', amount: Number(due.amount) - 1 });
    expectHeld(wrong, 'PAYIN_AMOUNT_MISMATCH', { payin_id: order.id, payment_currency: 'USD', payment_amount: Number(due.amount) - 1 });

    const response = await mockPayment(app, key, { payin_id: order.id, currency: 'usd', amount: Number(due.amount) });
    expect(response.statusCode, response.body).toBe(201);
    const payment = response.json();
    expectSchema('Payment', payment, '2026');
    expect(payment).toMatchObject({
      status: 'success',
      payment_currency: 'USD', payment_amount: Number(due.amount),
      converted_currency: 'AED', converted_amount: 36_725,
      requested_currency: 'AED', requested_amount: 36_725,
      fees: { fx_fee: { currency: 'USD', amount: Number(due.fee) } },
      fee_breakdown: {
        fx_fee: [{ amount: Number(due.fee), currency: 'USD', bearer: 'customer', collection_mode: 'immediate', taxes: [] }],
        txn_fee: [], referral_fee: [],
      },
    });
    // The merchant holds AED only; the USD stayed on the platform's side of the ledger.
    expect(await balances(app, key)).toEqual({ available: [{ currency: 'AED', amount: 0 }], pending: [{ currency: 'AED', amount: 36_725 }] });
    await expectLedgerConsistent(merchant.id);

    const list = await app.inject({ method: 'GET', url: '/api/v1/payment?currency=aed', headers: bearer(key) });
    expect(list.json().data.map((p: { id: string }) => p.id)).toEqual([payment.id]);
    // Only the held transfer is in USD: it was received, not converted.
    const byPaid = await app.inject({ method: 'GET', url: '/api/v1/payment?currency=USD', headers: bearer(key) });
    expect(byPaid.json().data.map((p: { id: string }) => p.id)).toEqual([wrong.json().id]);
  });

  it("uses the rate of the order's quote when the payer pays in the quote's source currency", async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const { order, sourceAmount, fxFee } = await quotedOrder(app, key);

    const response = await mockPayment(app, key, { payin_id: order.id, currency: 'EUR', amount: sourceAmount });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({
      payment_currency: 'EUR', payment_amount: sourceAmount,
      converted_currency: 'USD', converted_amount: 10_000,
      fees: { fx_fee: { currency: 'EUR', amount: fxFee } },
    });
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses currencies the rate source does not quote, with nothing written', async () => {
    const merchant = await createTestMerchant();
    const order = await createOrder(app, merchant.sandboxSecret);
    const response = await mockPayment(app, merchant.sandboxSecret, { payin_id: order.id, currency: 'BRL', amount: 50_000 });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ message: 'Currency BRL is not supported for payments', code: 'UNSUPPORTED_CURRENCY' });
    expect(await balances(app, merchant.sandboxSecret)).toEqual({ available: [], pending: [] });
  });
});

describe('fee bearer', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('adds a customer-borne fee to what the payer pays and credits the merchant the whole requested amount', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await createPrice(app, key, { pricing_type: 'percentage', bps: 200 });
    await setFeeBearer(app, merchant, 'customer');
    const order = await createOrder(app, key);

    const merchantAmount = await mockPayment(app, key, { payin_id: order.id, currency: 'USD', amount: 10_000 });
    expectHeld(merchantAmount, 'PAYIN_AMOUNT_MISMATCH', { payin_id: order.id, payment_amount: 10_000 });

    const response = await mockPayment(app, key, { payin_id: order.id, currency: 'USD', amount: 10_200 });
    expect(response.statusCode, response.body).toBe(201);
    expectSchema('Payment', response.json(), '2026');
    expect(response.json()).toMatchObject({
      fee_bearer: 'customer',
      payment_amount: 10_200, converted_amount: 10_200, requested_amount: 10_000,
      fees: { txn_fee: { currency: 'USD', amount: 200 } },
      fee_breakdown: { txn_fee: [{ amount: 200, currency: 'USD', bearer: 'customer' }] },
    });
    expect((await balances(app, key)).pending).toEqual([{ currency: 'USD', amount: 10_000 }]);
    await expectLedgerConsistent(merchant.id);
  });

  it('converts the customer-borne fee too when the payer pays in another currency', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await createPrice(app, key, { pricing_type: 'fixed', fees_amount: 500, fees_currency: 'USD' });
    await setFeeBearer(app, merchant, 'customer');
    const order = await createOrder(app, key, { currency: 'AED', amount: 36_725 });
    // A fixed USD 5.00 fee on an AED order: AED 18.3625, rounded up to 18.37 (exact rate, USD is the table's base).
    const due = usdDue(36_725n + 1_837n);
    const response = await mockPayment(app, key, { payin_id: order.id, currency: 'USD', amount: Number(due.amount) });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ payment_amount: Number(due.amount), converted_amount: 36_725 + 1_837, requested_amount: 36_725 });
    expect((await balances(app, key)).pending).toEqual([{ currency: 'AED', amount: 36_725 }]);
    await expectLedgerConsistent(merchant.id);
  });

  it('is switched back to the merchant for later payments; the admin route refuses other values', async () => {
    const merchant = await createTestMerchant();
    await setFeeBearer(app, merchant, 'customer');
    await setFeeBearer(app, merchant, 'merchant');
    const refused = await app.inject({
      method: 'PATCH', url: `/admin/v1/merchants/${merchant.id}`, headers: bearer(ADMIN_TOKEN), payload: { payin_fee_bearer: 'split' },
    });
    expect(refused.statusCode).toBe(400);
    const unknown = await app.inject({
      method: 'PATCH', url: '/admin/v1/merchants/merch_6819d804aaaaa', headers: bearer(ADMIN_TOKEN), payload: { payin_fee_bearer: 'customer' },
    });
    expect(unknown.statusCode).toBe(404);
    const secret = await app.inject({
      method: 'PATCH', url: `/admin/v1/merchants/${merchant.id}`, headers: bearer(merchant.sandboxSecret), payload: { payin_fee_bearer: 'customer' },
    });
    expect(secret.statusCode).toBe(401);
  });
});

describe('paying a payment link', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  /** The link these tests pay: EUR 50.00 by bank transfer. */
  const createEuroLink = (key: string) => createLink(app, key, { currency: 'EUR', amount: 5_000 });

  it('marks the link paid with its event, records payin_type payment_link, and holds a second payment', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const link = await createEuroLink(key);
    const response = await mockPayment(app, key, { payin_id: link.id, currency: 'EUR', amount: 5_000 });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ payin_id: link.id, payin_type: 'payment_link', status: 'success', purpose_code: 'P1401' });
    const read = await app.inject({ method: 'GET', url: `/api/v1/payin/${link.id}`, headers: bearer(key) });
    expect(read.json().status).toBe('paid');
    const linkEvents = await eventsOf(link.id);
    expect(linkEvents.map((e) => [e.entityType, e.eventType])).toEqual([['payment_link', 'active'], ['payment_link', 'paid']]);
    expect((await balances(app, key)).pending).toEqual([{ currency: 'EUR', amount: 5_000 }]);

    const again = await mockPayment(app, key, { payin_id: link.id, currency: 'EUR', amount: 5_000 });
    expectHeld(again, 'PAYIN_NOT_FOUND', { payin_id: link.id });

    const byType = await app.inject({ method: 'GET', url: '/api/v1/payment?payment_type=payment_link', headers: bearer(key) });
    expect(byType.json().data.map((p: { id: string }) => p.id)).toEqual([again.json().id, response.json().id]);
    const orders = await app.inject({ method: 'GET', url: '/api/v1/payment?payment_type=orders', headers: bearer(key) });
    expect(orders.json().data).toEqual([]);
    await expectLedgerConsistent(merchant.id);
  });

  it('lets exactly one of concurrent payments of one link succeed; the others are held', async () => {
    const merchant = await createTestMerchant();
    const link = await createEuroLink(merchant.sandboxSecret);
    const attempts = await Promise.all(Array.from({ length: 5 }, () =>
      mockPayment(app, merchant.sandboxSecret, { payin_id: link.id, currency: 'EUR', amount: 5_000 })));
    expect(attempts.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(attempts.map((r) => r.json().status).sort()).toEqual(['action_required', 'action_required', 'action_required', 'action_required', 'success']);
    expect((await balances(app, merchant.sandboxSecret)).pending).toEqual([{ currency: 'EUR', amount: 5_000 }]);
    await expectLedgerConsistent(merchant.id);
  });

  it("holds a transfer to a cancelled link and refuses another merchant's link", async () => {
    const merchant = await createTestMerchant();
    const other = await createTestMerchant();
    const link = await createEuroLink(merchant.sandboxSecret);
    const foreign = await mockPayment(app, other.sandboxSecret, { payin_id: link.id, currency: 'EUR', amount: 5_000 });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().message).toBe('Payment link not found');
    await cancelLink(app, merchant.sandboxSecret, link.id);
    const refused = await mockPayment(app, merchant.sandboxSecret, { payin_id: link.id, currency: 'EUR', amount: 5_000 });
    expectHeld(refused, 'PAYIN_NOT_FOUND', { payin_id: link.id });
    expect(await balances(app, merchant.sandboxSecret)).toEqual({ available: [], pending: [] });
    await expectLedgerConsistent(merchant.id);
  });
});

describe('sandbox sanctions screening', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it.each([
    ['a sanctioned remitter', { remitter_name: 'Sanctioned_Entity' }, 10_000],
    ['the magic amount 6623', {}, 6_623],
  ])('%s records an action_required payment with SANCTION_HIT; no money moves and the order stays active', async (_name, extra, amount) => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const order = await createOrder(app, key, { amount });
    expectHeld(await mockPayment(app, key, { payin_id: order.id, currency: 'USD', amount, ...extra }), 'SANCTION_HIT');
    expect(await orderStatus(app, key, order.id)).toBe('active');
    expect(await balances(app, key)).toEqual({ available: [], pending: [] });
    await expectLedgerConsistent(merchant.id);
  });

  it('lets a test card decide its own outcome at 6623', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const order = await createOrder(app, key, { amount: 6_623 });
    const response = await mockPayment(app, key, { payin_id: order.id, currency: 'USD', amount: 6_623, payment_method: 'Card', card_number: '4532491111111111' });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().status).toBe('success');
  });
});

describe('payability at the edges', () => {
  it('holds a transfer past expires_at even before the expiry job has run', async () => {
    const clock = new ManualClock('2026-01-10T10:00:00Z');
    const { app } = await buildTestApp({ clock });
    const merchant = await createTestMerchant(clock);
    const order = await createOrder(app, merchant.sandboxSecret);
    clock.advance(92 * 86_400_000); // past the three months
    expect(await orderStatus(app, merchant.sandboxSecret, order.id)).toBe('active');
    const response = await mockPayment(app, merchant.sandboxSecret, { payin_id: order.id, currency: 'USD', amount: 10_000 });
    expectHeld(response, 'PAYIN_NOT_FOUND', { payin_id: order.id });
    expect(await orderStatus(app, merchant.sandboxSecret, order.id)).toBe('active');
  });

  it('never fails with 500 when a customer-borne fee takes the amount past the largest the API carries: the transfer is held', async () => {
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await createPrice(app, key, { pricing_type: 'percentage', bps: 100 });
    await setFeeBearer(app, merchant, 'customer');
    const order = await createOrder(app, key, { amount: Number.MAX_SAFE_INTEGER });
    const publicRead = await app.inject({ method: 'GET', url: `/api/public/v1/order/${order.id}`, headers: bearer(merchant.sandboxPublishable) });
    expect(publicRead.statusCode).toBe(400);
    const response = await mockPayment(app, key, { payin_id: order.id, currency: 'USD', amount: Number.MAX_SAFE_INTEGER });
    expectHeld(response, 'PAYIN_AMOUNT_MISMATCH', { payin_id: order.id, payment_amount: Number.MAX_SAFE_INTEGER });
    expect(await balances(app, key)).toEqual({ available: [], pending: [] });
    await expectLedgerConsistent(merchant.id);
  });
});
