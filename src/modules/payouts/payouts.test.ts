import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { systemClock } from '../../core/clock.js';
import { events, payouts } from '../../db/schema/index.js';
import { voidHold } from '../../ledger/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { accountNumber, address, createBeneficiaryV1, createBeneficiaryV2, iban, v2Body } from '../../../test/support/beneficiaries.js';
import { expectResponse } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { uploadDocumentId } from '../../../test/support/fixtures.js';
import { expectLedgerConsistent, fundMerchant } from '../../../test/support/ledger.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures through the API.

const inrBody = () => v2Body({
  beneficiary: { name: 'Ravi Traders', type: 'business', address: address('IND') },
  bank_account: { account_number: accountNumber(), local_routing_number: 'HDFC0001097', currency: 'INR' },
});

const post = (app: App, key: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/payouts', headers: bearer(key), payload });

const mock = (app: App, key: string, id: string, status: string) =>
  app.inject({ method: 'PATCH', url: '/api/v1/payouts/mock', headers: bearer(key), payload: { id, status } });

const usdBody = (beneficiaryId: string, overrides: Record<string, unknown> = {}) => ({
  beneficiary_id: beneficiaryId, purpose_code: 'S0017', source_currency: 'USD', destination_currency: 'USD', source_amount: 10_000, ...overrides,
});

async function balances(app: App, key: string) {
  const response = await app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(key) });
  return response.json() as { available: { currency: string; amount: number }[] };
}

const available = async (app: App, key: string, currency = 'USD') =>
  (await balances(app, key)).available.find((b) => b.currency === currency)?.amount ?? 0;

async function eventTypes(id: string): Promise<string[]> {
  const { database } = await testEnv();
  const rows = await database.db.select().from(events).where(eq(events.entityId, id)).orderBy(events.seq);
  return rows.map((row) => `${row.entityType}.${row.eventType}`);
}

/** A funded merchant with a USD SWIFT beneficiary. */
async function fundedMerchant(app: App, usd = 1_000_000n) {
  const merchant = await createTestMerchant();
  await fundMerchant(merchant.id, 'USD', usd);
  const beneficiary = await createBeneficiaryV2(app, merchant.sandboxSecret);
  return { merchant, key: merchant.sandboxSecret, beneficiaryId: beneficiary.id };
}

async function createPayout(app: App, key: string, payload: Record<string, unknown>) {
  const response = await post(app, key, payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Record<string, unknown> & { id: string; status: string };
}

/**
 * A payout waiting in the queue. Queueing (and its release job) is not switchable yet, so the test takes a created
 * payout back: its hold is released through the ledger and the row marked queued, as the queue would hold it.
 */
async function queuedPayout(app: App, merchant: TestMerchant, beneficiaryId: string, overrides: Record<string, unknown> = {}) {
  const payout = await createPayout(app, merchant.sandboxSecret, usdBody(beneficiaryId, overrides));
  const { database } = await testEnv();
  const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
  await database.db.transaction(async (tx) => {
    const [row] = await tx.select().from(payouts).where(and(eq(payouts.merchantId, merchant.id), eq(payouts.id, payout.id)));
    const voided = await voidHold({ tx, clock: systemClock, tenant }, row!.holdId!);
    expect(voided.ok).toBe(true);
    await tx.update(payouts).set({ status: 'queued', sentToRail: false, queuedAt: new Date() }).where(eq(payouts.id, payout.id));
  });
  return payout.id;
}

// ---------------------------------------------------------------------------------------------------------------

describe('POST /api/v1/payouts', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('creates a SWIFT payout: source amount + fee held at once, posted on success with a UTR, events for each status', async () => {
    const { merchant, key, beneficiaryId } = await fundedMerchant(app);
    const response = await post(app, key, usdBody(beneficiaryId, { request_id: 'po-1', invoice_number: 'INV-2026-001', notes: { batch: '42' } }));
    expect(response.statusCode, response.body).toBe(201);
    const payout = response.json();
    // The contract types `id` and `beneficiary_id` as `format: uuid`, which no Glomo id is (notes-payouts §13.1):
    // the rest of the body is checked with those two in a form the format accepts.
    const uuid = '00000000-0000-4000-8000-000000000000';
    expectResponse('post', '/payouts', 201, { ...payout, id: uuid, beneficiary_id: uuid }, '2026');
    expect(payout).toEqual({
      id: expect.stringMatching(/^payout_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      status: 'in_progress',
      source_currency: 'USD', source_amount: 10_000, destination_currency: 'USD', destination_amount: 10_000,
      beneficiary_id: beneficiaryId, documents: [], purpose_code: 'S0017',
      mid_market_rate: { currency: 'USD', rate: 1 },
      fees: { fx_fee: { currency: 'USD', amount: 0 }, txn_fee: { currency: 'USD', amount: 1500 } },
      created_at: expect.any(String), updated_at: expect.any(String),
      utr: null, request_id: 'po-1', payment_rail: 'swift', invoice_number: 'INV-2026-001', fee_collection_mode: 'merchant',
      error_code: null, error_description: null, customer_error_description: null, quote_id: null, taxes: [], notes: { batch: '42' },
    });
    expect(await available(app, key)).toBe(1_000_000 - 11_500);
    await expectLedgerConsistent(merchant.id);

    const done = await mock(app, key, payout.id, 'success');
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'success', utr: expect.stringMatching(/^GLMOSB[0-9A-Z]{14}$/) });
    expect(await available(app, key)).toBe(1_000_000 - 11_500);
    await expectLedgerConsistent(merchant.id);
    expect(await eventTypes(payout.id)).toEqual(['payout.in_progress', 'payout.success']);

    const read = await app.inject({ method: 'GET', url: `/api/v1/payouts/${payout.id}`, headers: bearer(key) });
    expect(read.json()).toEqual(done.json());
    // Terminal: nothing moves it again.
    for (const status of ['failed', 'cancelled', 'pending', 'success']) expect((await mock(app, key, payout.id, status)).statusCode).toBe(400);
  });

  it('pays INR on a local rail for a destination amount: the source priced at the mid rate with the markup, the rail fee converted', async () => {
    const { merchant, key } = await fundedMerchant(app);
    await fundMerchant(merchant.id, 'EUR', 500_000n);
    const beneficiary = await createBeneficiaryV2(app, key, inrBody());
    const payout = await createPayout(app, key, {
      beneficiary_id: beneficiary.id, purpose_code: 'S1301', source_currency: 'EUR', destination_currency: 'INR',
      destination_amount: 100_000, payment_rail: 'neft',
    });
    expect(payout.status).toBe('in_progress');
    expect(payout).toMatchObject({ payment_rail: 'neft', destination_currency: 'INR', destination_amount: 100_000, fees: { txn_fee: { currency: 'EUR', amount: 92 } } });
    // INR per EUR = 83.2 / 0.92: the mid rate shown is that cross rate.
    expect((payout.mid_market_rate as { rate: number }).rate).toBeCloseTo(83.2 / 0.92, 6);
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses what the contract refuses, with nothing stored and nothing held', async () => {
    const { merchant, key, beneficiaryId } = await fundedMerchant(app, 5_000n);
    const inr = await createBeneficiaryV2(app, key, inrBody());
    const invoice = await uploadDocumentId(app, key);
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [usdBody(beneficiaryId), 400, 'Account has insufficient balance to process this transaction. Additional amount required: 6500.'],
      [usdBody('bene_6819d804aaaaa'), 404, 'Beneficiary not found'],
      [usdBody('cust_6819d804aaaaa'), 400, 'Validation failed: Beneficiary ID must start with bene_ and be valid.'],
      [usdBody(beneficiaryId, { purpose_code: 'P1401' }), 400, 'Purpose code P1401 is a payin purpose code and cannot be used for a payout'],
      [usdBody(beneficiaryId, { purpose_code: 'S0213' }), 400, 'Purpose code is invalid'],
      [usdBody(beneficiaryId, { purpose_code: 'S1006', source_amount: 2_000 }), 400, 'Purpose code S1006 requires documents: invoice'],
      [usdBody(beneficiaryId, { destination_amount: 100 }), 400, 'You can only send source_amount or destination_amount, not both.'],
      [usdBody(beneficiaryId, { source_amount: undefined }), 400, 'You must send either source_amount or destination_amount.'],
      [usdBody(beneficiaryId, { source_currency: 'INR' }), 400, 'Currency INR is not supported for payouts'],
      [usdBody(beneficiaryId, { destination_currency: 'EUR' }), 400, "destination_currency must be the beneficiary's account currency USD"],
      [usdBody(beneficiaryId, { payment_rail: 'neft' }), 400, 'Payment rail neft is not available for this beneficiary'],
      [{ ...usdBody(inr.id), destination_currency: 'INR' }, 400, 'No rails available for this beneficiary'],
      [usdBody(beneficiaryId, { quote_id: 'quote_6819d804aaaaa' }), 400, 'source_amount cannot be specified when quote_id is present'],
      [{ beneficiary_id: beneficiaryId, purpose_code: 'S0017', quote_id: 'quote_6819d804aaaaa' }, 400, 'quote_id not found'],
      [usdBody(beneficiaryId, { source_amount: 1000 }), 400, 'Fees must be less than the source amount'],
      [usdBody(beneficiaryId, { documents: [invoice, 'doc_6819d804aaaaa'] }), 404, 'Document not found'],
    ];
    for (const [payload, status, message] of cases) {
      const response = await post(app, key, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect(response.json().message, JSON.stringify(payload)).toBe(message);
    }
    const list = await app.inject({ method: 'GET', url: '/api/v1/payouts', headers: bearer(key) });
    expect(list.json().data).toEqual([]);
    expect(await available(app, key)).toBe(5_000);
    await expectLedgerConsistent(merchant.id);
  });

  it.each([9_007_199_254_740_991, 10 ** 15])('answers 400 when source_amount %d converts past the JSON safe range, and stores nothing', async (sourceAmount) => {
    const { merchant, key } = await fundedMerchant(app);
    const v1 = await createBeneficiaryV1(app, key);
    const response = await post(app, key, { ...usdBody(v1.id), destination_currency: 'INR', source_amount: sourceAmount });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toEqual({
      error: 'Bad Request', message: 'Amount with its fees is larger than the API can carry: use a smaller amount', code: 'INVALID_PARAMETER',
    });
    const list = await app.inject({ method: 'GET', url: '/api/v1/payouts', headers: bearer(key) });
    expect(list.json().data).toEqual([]);
    expect(await available(app, key)).toBe(1_000_000);
    await expectLedgerConsistent(merchant.id);
  });

  it('takes documents the purpose code requires, by their name', async () => {
    const { merchant, key, beneficiaryId } = await fundedMerchant(app);
    const passport = await uploadDocumentId(app, key);
    const refused = await post(app, key, usdBody(beneficiaryId, { purpose_code: 'S1006', documents: [passport] }));
    expect(refused.json().message).toBe('Purpose code S1006 requires documents: invoice');
    const invoice = await uploadDocumentId(app, key, 'invoice');
    const payout = await createPayout(app, key, usdBody(beneficiaryId, { purpose_code: 's1006', documents: [invoice] }));
    expect(payout).toMatchObject({ purpose_code: 'S1006', documents: [{ id: invoice, type: 'invoice', status: 'uploaded', rfi_doc_id: null }] });
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses pending and rejected beneficiaries', async () => {
    const merchant = await createTestMerchant();
    await fundMerchant(merchant.id, 'USD', 100_000n);
    const review = await app.inject({
      method: 'PATCH', url: `/admin/v1/merchants/${merchant.id}`, headers: bearer(ADMIN_TOKEN), payload: { beneficiary_review: true },
    });
    expect(review.statusCode, review.body).toBe(200);
    const pending = await createBeneficiaryV2(app, merchant.sandboxSecret);
    const rejected = await createBeneficiaryV2(app, merchant.sandboxSecret);
    const reject = await app.inject({
      method: 'PATCH', url: `/api/v2/beneficiaries/${rejected.id}/mock-review`, headers: bearer(merchant.sandboxSecret), payload: { review_action: 'reject' },
    });
    expect(reject.statusCode, reject.body).toBe(200);
    const pendingAnswer = await post(app, merchant.sandboxSecret, usdBody(pending.id));
    expect(pendingAnswer.statusCode).toBe(400);
    expect(pendingAnswer.json().message).toContain('verification is pending');
    const rejectedAnswer = await post(app, merchant.sandboxSecret, usdBody(rejected.id));
    expect(rejectedAnswer.statusCode).toBe(400);
    expect(rejectedAnswer.json().message).toContain('has been rejected');
  });

  it('pays a v1 beneficiary (no account currency) by SWIFT', async () => {
    const { merchant, key } = await fundedMerchant(app);
    const v1 = await createBeneficiaryV1(app, key);
    const payout = await createPayout(app, key, { ...usdBody(v1.id), destination_currency: 'INR' });
    expect(payout).toMatchObject({ payment_rail: 'swift', destination_currency: 'INR' });
    await expectLedgerConsistent(merchant.id);
  });

  it('accepts the legacy 2025 body (documents, one amount)', async () => {
    const { merchant, key, beneficiaryId } = await fundedMerchant(app);
    const payout = await createPayout(app, key, {
      source_currency: 'USD', source_amount: 10_000, destination_currency: 'USD', beneficiary_id: beneficiaryId, purpose_code: 'S0017', documents: [],
    });
    expect(payout.status).toBe('in_progress');
    await expectLedgerConsistent(merchant.id);
  });
});

describe('POST /api/v1/payouts with quote_id', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it("takes the quote's amounts, rate, fees and rail, once; an incompatible quote is refused", async () => {
    const { merchant, key } = await fundedMerchant(app);
    const eur = await createBeneficiaryV2(app, key, v2Body({ bank_account: { account_number: iban('DE', '370400440532013000'), currency: 'EUR' } }));
    const created = await app.inject({
      method: 'POST', url: '/api/v1/quotes', headers: bearer(key),
      payload: { resource: 'payout', source_currency: 'USD', destination_currency: 'EUR', source_amount: 50_000 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const quote = created.json().quotes[0];
    const payout = await createPayout(app, key, { quote_id: quote.id, beneficiary_id: eur.id, purpose_code: 'S0017' });
    expect(payout).toMatchObject({
      quote_id: quote.id, source_amount: quote.source_amount, destination_amount: quote.destination_amount, payment_rail: 'swift',
      fees: quote.fees, mid_market_rate: { currency: 'EUR', rate: 0.92 },
    });
    expect(await available(app, key)).toBe(1_000_000 - quote.source_amount - quote.fees.txn_fee.amount);

    const again = await post(app, key, { quote_id: quote.id, beneficiary_id: eur.id, purpose_code: 'S0017' });
    expect(again.statusCode).toBe(400);
    expect(again.json().message).toBe('quote_id has already been used');

    const inrQuote = await app.inject({
      method: 'POST', url: '/api/v1/quotes', headers: bearer(key),
      payload: { resource: 'payout', source_currency: 'USD', destination_currency: 'INR', source_amount: 50_000 },
    });
    const mismatch = await post(app, key, { quote_id: inrQuote.json().quotes[0].id, beneficiary_id: eur.id, purpose_code: 'S0017' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().message).toBe('Quote is not compatible with the selected beneficiary');
    await expectLedgerConsistent(merchant.id);
  });
});

describe('payouts under concurrency', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('holds exactly the payouts the balance covers; the rest answer INSUFFICIENT_BALANCE', async () => {
    // 3 × (10000 + 1500) = 34500 fits in 40000; a fourth does not.
    const { merchant, key, beneficiaryId } = await fundedMerchant(app, 40_000n);
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(app, key, usdBody(beneficiaryId))));
    const codes = answers.map((r) => (r.statusCode === 201 ? 'created' : r.json().code));
    expect(codes.filter((c) => c === 'created')).toHaveLength(3);
    expect(codes.filter((c) => c === 'INSUFFICIENT_BALANCE')).toHaveLength(5);
    expect(await available(app, key)).toBe(40_000 - 3 * 11_500);
    await expectLedgerConsistent(merchant.id);
  });

  it('creates one payout for concurrent duplicates of a request_id; the others answer 409', async () => {
    const { merchant, key, beneficiaryId } = await fundedMerchant(app);
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(app, key, usdBody(beneficiaryId, { request_id: 'dup-1' }))));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const conflict = answers.find((r) => r.statusCode === 409)!;
    expect(conflict.json()).toMatchObject({ error: 'Conflict', message: 'Record already exists' });
    const listed = await app.inject({ method: 'GET', url: '/api/v1/payouts?request_id=dup-1', headers: bearer(key) });
    expect(listed.json().data).toHaveLength(1);
    expect(await available(app, key)).toBe(1_000_000 - 11_500);
    await expectLedgerConsistent(merchant.id);
  });

  it('lets one of a cancel and a release of the same payout win; the ledger stays balanced', async () => {
    const { merchant, key, beneficiaryId } = await fundedMerchant(app);
    for (let i = 0; i < 4; i++) {
      const id = await queuedPayout(app, merchant, beneficiaryId);
      const [cancel, release] = await Promise.all([
        app.inject({ method: 'PATCH', url: `/api/v1/payouts/${id}/cancel`, headers: bearer(key) }),
        mock(app, key, id, 'pending'),
      ]);
      expect([cancel.statusCode, release.statusCode].sort()).toEqual([200, 400]);
      const final = (await app.inject({ method: 'GET', url: `/api/v1/payouts/${id}`, headers: bearer(key) })).json();
      expect(final.status).toBe(cancel.statusCode === 200 ? 'cancelled' : 'in_progress');
    }
    await expectLedgerConsistent(merchant.id);
  });
});

describe('the payout lifecycle', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('refuses to cancel a payout with the bank, and moves nothing illegally', async () => {
    const { merchant, key, beneficiaryId } = await fundedMerchant(app);
    const payout = await createPayout(app, key, usdBody(beneficiaryId));
    const cancel = await app.inject({ method: 'PATCH', url: `/api/v1/payouts/${payout.id}/cancel`, headers: bearer(key), payload: { reason: 'duplicate' } });
    expect(cancel.statusCode).toBe(400);
    expect(cancel.json()).toMatchObject({ message: 'Payout cannot be cancelled in its current state', code: 'INVALID_STATE' });
    for (const status of ['pending', 'action_required', 'cancelled']) {
      const refused = await mock(app, key, payout.id, status);
      expect(refused.statusCode, status).toBe(400);
      expect(refused.json().message).toBe('State change not allowed');
    }
    const failed = await mock(app, key, payout.id, 'failed');
    expect(failed.json()).toMatchObject({ status: 'failed', error_code: null });
    expect(await available(app, key)).toBe(1_000_000);
    expect(await eventTypes(payout.id)).toEqual(['payout.in_progress', 'payout.failed']);
    await expectLedgerConsistent(merchant.id);
  });

  it('runs queued → action_required → RFI answered (under review) → released → success', async () => {
    const { merchant, key, beneficiaryId } = await fundedMerchant(app);
    const id = await queuedPayout(app, merchant, beneficiaryId);
    expect(await available(app, key)).toBe(1_000_000);
    expect((await mock(app, key, id, 'success')).statusCode).toBe(400);

    const held = await mock(app, key, id, 'action_required');
    expect(held.json().status).toBe('action_required');
    const document = await uploadDocumentId(app, key);
    const answered = await app.inject({
      method: 'PATCH', url: `/api/v1/payouts/${id}/update_rfi`, headers: bearer(key),
      payload: { documents: [{ id: document, rfi_doc_id: 'rfidoc_68c8dffedhMHD' }] },
    });
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json()).toMatchObject({ status: 'in_progress', documents: [{ id: document, rfi_doc_id: 'rfidoc_68c8dffedhMHD' }] });
    // Under review: nothing held, listed as under_review, and not yet finishable.
    expect(await available(app, key)).toBe(1_000_000);
    const review = await app.inject({ method: 'GET', url: '/api/v1/payouts?status=under_review', headers: bearer(key) });
    expect(review.json().data.map((p: { id: string }) => p.id)).toEqual([id]);
    expect((await mock(app, key, id, 'success')).statusCode).toBe(400);
    const again = await app.inject({
      method: 'PATCH', url: `/api/v1/payouts/${id}/update_rfi`, headers: bearer(key), payload: { documents: [{ id: document }] },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().message).toBe('Payout is in_progress: it has no pending RFI');

    expect((await mock(app, key, id, 'pending')).json().status).toBe('in_progress');
    expect(await available(app, key)).toBe(1_000_000 - 11_500);
    expect((await mock(app, key, id, 'success')).json().status).toBe('success');
    expect(await eventTypes(id)).toEqual([
      'payout.in_progress', 'payout.action_required', 'payout.in_progress', 'payout.in_progress', 'payout.success',
    ]);
    await expectLedgerConsistent(merchant.id);
  });

  it('cancels a queued payout with nothing to release, and a released one is not short of funds silently', async () => {
    const { merchant, key, beneficiaryId } = await fundedMerchant(app, 20_000n);
    const id = await queuedPayout(app, merchant, beneficiaryId);
    const cancelled = await app.inject({ method: 'PATCH', url: `/api/v1/payouts/${id}/cancel`, headers: bearer(key) });
    expect(cancelled.json().status).toBe('cancelled');
    expect(await available(app, key)).toBe(20_000);

    const waiting = await queuedPayout(app, merchant, beneficiaryId);
    await createPayout(app, key, usdBody(beneficiaryId)); // takes 11,500 of the 20,000
    const short = await mock(app, key, waiting, 'pending');
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ code: 'INSUFFICIENT_BALANCE', message: expect.stringContaining('Additional amount required: 3000.') });
    expect((await app.inject({ method: 'GET', url: `/api/v1/payouts/${waiting}`, headers: bearer(key) })).json().status).toBe('queued');
    await expectLedgerConsistent(merchant.id);
  });

  it('answers the production key 404 on the mock, before validating the body', async () => {
    const merchant = await createTestMerchant();
    const response = await app.inject({ method: 'PATCH', url: '/api/v1/payouts/mock', headers: bearer(merchant.productionSecret), payload: {} });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });
});

describe('GET /api/v1/payouts filters', () => {
  it('filters on beneficiary_id, status and request_id', async () => {
    const { app } = await buildTestApp();
    const { key, beneficiaryId } = await fundedMerchant(app);
    const other = await createBeneficiaryV2(app, key);
    const a = await createPayout(app, key, usdBody(beneficiaryId, { request_id: 'f-a' }));
    const b = await createPayout(app, key, usdBody(other.id));
    await mock(app, key, b.id, 'success');
    const ids = async (query: string) =>
      (await app.inject({ method: 'GET', url: `/api/v1/payouts${query}`, headers: bearer(key) })).json().data.map((p: { id: string }) => p.id);
    expect(await ids(`?beneficiary_id=${beneficiaryId}`)).toEqual([a.id]);
    expect(await ids('?status=success')).toEqual([b.id]);
    expect(await ids('?status=in_progress')).toEqual([a.id]);
    expect(await ids('?request_id=f-a')).toEqual([a.id]);
    expect((await app.inject({ method: 'GET', url: '/api/v1/payouts?status=pending', headers: bearer(key) })).statusCode).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Conventions and security.

async function ownedPayout(app: App, owner: TestMerchant): Promise<string> {
  await fundMerchant(owner.id, 'USD', 100_000n);
  const beneficiary = await createBeneficiaryV2(app, owner.sandboxSecret);
  return (await createPayout(app, owner.sandboxSecret, usdBody(beneficiary.id))).id;
}

const listBeneficiary = new Map<string, string>();
describeListConventions('GET /api/v1/payouts', {
  url: '/api/v1/payouts',
  create: async (app, key, index) => {
    if (index === 0) {
      // The suite makes the merchant; its id is the secret key's subject.
      const merchantId = (JSON.parse(Buffer.from(key.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
      await fundMerchant(merchantId, 'USD', 1_000_000n);
      listBeneficiary.set(key, (await createBeneficiaryV2(app, key)).id);
    }
    const response = await post(app, key, usdBody(listBeneficiary.get(key)!, { source_amount: 2_000 }));
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id;
  },
});

describeSecurity('POST /api/v1/payouts', {
  method: 'POST',
  url: () => '/api/v1/payouts',
  payload: () => usdBody('bene_6819d804aaaaa'),
});

describeSecurity('GET /api/v1/payouts', {
  method: 'GET',
  url: () => '/api/v1/payouts',
  listedObject: ownedPayout,
});

describeSecurity('GET /api/v1/payouts/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/payouts/${id}`,
  createObject: ownedPayout,
  notFoundMessage: 'Payout not found',
  idPrefix: 'payout',
});

describeSecurity('PATCH /api/v1/payouts/{id}/cancel', {
  method: 'PATCH',
  url: (id) => `/api/v1/payouts/${id}/cancel`,
  createObject: ownedPayout,
  notFoundMessage: 'Payout not found',
  idPrefix: 'payout',
  successStatus: 400,
});

let rfiDocument = '';
describeSecurity('PATCH /api/v1/payouts/{id}/update_rfi', {
  method: 'PATCH',
  url: (id) => `/api/v1/payouts/${id}/update_rfi`,
  payload: () => ({ documents: [{ id: rfiDocument }] }),
  createObject: async (app, owner) => {
    rfiDocument = await uploadDocumentId(app, owner.sandboxSecret);
    return ownedPayout(app, owner);
  },
  notFoundMessage: 'Payout not found',
  idPrefix: 'payout',
  successStatus: 400,
});

// The production key gets the unknown-route 404 (tested above).
describeSecurity('PATCH /api/v1/payouts/mock', {
  method: 'PATCH',
  url: () => '/api/v1/payouts/mock',
  payload: () => ({ id: 'payout_6819d804aaaaa', status: 'success' }),
});
