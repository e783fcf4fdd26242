// The hosted payment link page without a browser (decision 0037): GET /payin/pl/{id} (where `payment_link` points) and
// its error pages, and the keyless public routes GET /api/public/v1/payment-link/{id}, …/bank_transfer_details and
// POST …/payments: every method, the OTP step, declines, partial payments (also through the mock and bank transfers,
// and concurrently), every refusal, production, the signature and the webhook events. The browser flows are
// test/browser/payment-link.browser.test.ts.
import { eq } from 'drizzle-orm';
import { Value } from 'typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { events, payments } from '../db/schema/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../test/support/app.js';
import { expectSchema, servedPaths } from '../../test/support/contract.js';
import { testEnv } from '../../test/support/env.js';
import { expectLedgerConsistent } from '../../test/support/ledger.js';
import { CHECKOUT_CSP } from './page-routes.js';
import { PaymentLinkBankTransferDetails, PaymentLinkPaymentResult, PublicPaymentLink } from './payment-link-schemas.js';
import { OtpRequired } from './schemas.js';
import { verifyPaymentSignature } from './signature.js';

const VISA_SUCCESS = '4532 4911 1111 1111';
const VISA_FAILURE = '4556 8911 1111 1112';
const VISA_OTP_SUCCESS = '4532 4422 2222 2222';
const FUTURE_YEAR = new Date().getUTCFullYear() + 2;
const DAY_MS = 86_400_000;
const PUBLIC_URL = 'http://127.0.0.1:4000';

const NOT_FOUND = { error: 'Not Found', message: 'Payment link not found', code: 'NOT_FOUND' };
const PUBLIC_KEYS = [
  'allow_partial_payments', 'amount', 'amount_due', 'amount_paid', 'amount_remaining', 'currency', 'description', 'expires_at', 'id',
  'invoice_number', 'merchant_name', 'payable', 'payment_methods', 'product', 'status',
];

type Link = Record<string, unknown> & { id: string; status: string; customer_id: string; payment_link?: string; amount_paid: number };

const card = (number: string) => ({ number, exp_month: 12, exp_year: FUTURE_YEAR, cvv: '987' });

describe('hosted payment link page', () => {
  let app: App;
  let owner: TestMerchant;
  let other: TestMerchant;
  let customerId: string;
  let productionCustomerId: string;

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>, key = owner.sandboxSecret) =>
    app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

  async function createLink(overrides: Record<string, unknown> = {}, key = owner.sandboxSecret): Promise<Link> {
    const response = await api('POST', '/api/v1/payin', {
      customer_id: key === owner.productionSecret ? productionCustomerId : customerId, currency: 'USD', amount: 1_000,
      purpose_code: 'P1401', expires_at: new Date(Date.now() + 7 * DAY_MS).toISOString(), payment_methods: ['card', 'bank_transfer', 'pay_via_bank'],
      invoice_number: 'INV-7', invoice_description: 'Consulting, May', product: { name: 'Advice', description: 'One hour' },
      notes: { internal: 'do-not-show' }, reference_number: 'REF-SECRET-1', ...overrides,
    }, key);
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }
  const page = (id: string, query = '') => app.inject({ method: 'GET', url: `/payin/pl/${id}${query}` });
  const read = (id: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: `/api/public/v1/payment-link/${id}`, headers });
  const pay = (id: string, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: `/api/public/v1/payment-link/${id}/payments`, payload });
  const linkOf = async (id: string, key = owner.sandboxSecret) => (await api('GET', `/api/v1/payin/${id}`, undefined, key)).json() as Link;
  const paymentsOf = async (id: string) => (await testEnv()).database.db.select().from(payments).where(eq(payments.payinId, id));
  const linkEvents = async (id: string) =>
    (await (await testEnv()).database.db.select().from(events).where(eq(events.entityId, id)).orderBy(events.seq));

  beforeAll(async () => {
    ({ app } = await buildTestApp());
    owner = await createTestMerchant();
    other = await createTestMerchant();
    const customer = await api('POST', '/api/v1/customer', customerBody());
    customerId = customer.json().id;
    productionCustomerId = (await api('POST', '/api/v1/customer', customerBody(), owner.productionSecret)).json().id;
  });

  describe('payment_link and GET /payin/pl/{id}', () => {
    it('an active link carries payment_link, the page with a strict CSP, escaped data attributes and only same-origin resources', async () => {
      const link = await createLink();
      expect(link.payment_link).toBe(`${PUBLIC_URL}/payin/pl/${link.id}`);
      expectSchema('PaymentLinkResponse', link);
      const response = await page(link.id);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toBe(CHECKOUT_CSP);
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-frame-options']).toBeUndefined();
      const html = response.body;
      expect(html).toContain(`data-payment-link-id="${link.id}"`);
      expect(html).toContain('data-mode="sandbox"');
      const scripts = [...html.matchAll(/<script [^>]*src="([^"?]*)/g)].map((m) => m[1]!);
      expect(scripts).toEqual(['/checkout/assets/card-form.js', '/checkout/assets/payment-link.js']);
      const references = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
      for (const reference of references) expect(reference, reference).toMatch(/^(\/checkout\/assets\/|data:)/);
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/);
      const js = await app.inject('/checkout/assets/payment-link.js');
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(js.body).not.toMatch(/localStorage|sessionStorage|document\.cookie|console\.|https?:\/\//);
    });

    it('uses PUBLIC_URL, and the link’s events carry payment_link while it is payable, not once cancelled', async () => {
      const { app: proxied } = await buildTestApp({ env: { PUBLIC_URL: 'https://pay.example.com/' } });
      const created = await proxied.inject({
        method: 'POST', url: '/api/v1/payin', headers: bearer(owner.sandboxSecret),
        payload: { customer_id: customerId, currency: 'USD', amount: 500, purpose_code: 'P1401', expires_at: new Date(Date.now() + DAY_MS).toISOString(), payment_methods: ['card'] },
      });
      expect(created.json().payment_link).toBe(`https://pay.example.com/payin/pl/${created.json().id}`);
      const cancelled = await proxied.inject({ method: 'PATCH', url: `/api/v1/payin/${created.json().id}/cancel`, headers: bearer(owner.sandboxSecret) });
      expect(cancelled.json()).not.toHaveProperty('payment_link');
      await proxied.close();
      const rows = await linkEvents(created.json().id);
      expect(rows.map((row) => [row.eventType, (row.data as Link).payment_link])).toEqual([
        ['active', `https://pay.example.com/payin/pl/${created.json().id}`], ['cancelled', undefined],
      ]);
    });

    it('a link waiting for documents has no payment_link yet; its page says it cannot be paid', async () => {
      const link = await createLink();
      const { database } = await testEnv();
      const { transitionPaymentLink } = await import('../modules/payment-links/service.js');
      await database.db.transaction((tx) => transitionPaymentLink({ publicUrl: PUBLIC_URL }, { tx, clock: { now: () => new Date() }, tenant: { merchantId: owner.id, env: 'sandbox' } },
        link.id, { to: 'action_required', requiredDocuments: ['Passport'] }));
      expect(await linkOf(link.id)).not.toHaveProperty('payment_link');
      expect((await read(link.id)).json()).toMatchObject({ status: 'action_required', payable: false });
      const refused = await pay(link.id, { method: 'card', card: card(VISA_SUCCESS) });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'INVALID_STATE' });
    });

    describe('error pages (HTML, never JSON or a 500)', () => {
      const cases: [string, string, string, number][] = [
        ['an unknown link', 'plink_6819d804aaaaa', '', 404],
        ['an order id', 'order_6819d804aaaaa', '', 404],
        ['markup as the id', encodeURIComponent('plink_<img src=x>'), '', 404],
        ['a javascript: redirect_url', '', '?redirect_url=javascript:alert(1)', 400],
      ];
      for (const [label, id, query, status] of cases) {
        it(`${status} for ${label}`, async () => {
          const target = id || (await createLink()).id;
          const response = await page(target, query);
          expect(response.statusCode, response.body).toBe(status);
          expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
          expect(response.headers['content-security-policy']).toBe(CHECKOUT_CSP);
          expect(response.body).toMatch(/^<!doctype html>/);
          expect(response.body).not.toContain('data-payment-link-id');
          expect(response.body).not.toContain('<img');
          if (status === 404) expect(response.body).toContain('Payment link not found');
        });
      }
    });

    it('is not in /openapi.json, while the three public operations are, tagged Checkout', async () => {
      // Every path as served (`/api/public/v1/…`), whatever the document writes.
      const doc = { paths: Object.fromEntries(servedPaths((await app.inject('/openapi.json')).json())) as Record<string, Record<string, { operationId: string; tags: string[] }>> };
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/payin/pl'))).toEqual([]);
      expect(doc.paths['/api/public/v1/payment-link/{id}']?.get).toMatchObject({ operationId: 'getPublicPaymentLink', tags: ['Checkout'] });
      expect(doc.paths['/api/public/v1/payment-link/{id}/bank_transfer_details']?.get)
        .toMatchObject({ operationId: 'getPaymentLinkBankTransferDetails', tags: ['Checkout'] });
      expect(doc.paths['/api/public/v1/payment-link/{id}/payments']?.post).toMatchObject({ operationId: 'createPaymentLinkPayment', tags: ['Checkout'] });
    });
  });

  describe('GET /api/public/v1/payment-link/{id}', () => {
    it('answers the customer-facing view without a key: an allow-list, nothing internal', async () => {
      const link = await createLink();
      const response = await read(link.id);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(Value.Check(PublicPaymentLink, body)).toBe(true);
      expect(Object.keys(body).sort()).toEqual(PUBLIC_KEYS);
      expect(body).toMatchObject({
        id: link.id, status: 'active', payable: true, amount: 1_000, currency: 'USD', amount_paid: 0, amount_remaining: 1_000,
        amount_due: 1_000, allow_partial_payments: false, description: 'Consulting, May', invoice_number: 'INV-7',
        product: { name: 'Advice', description: 'One hour' }, payment_methods: ['card', 'bank_transfer', 'pay_via_bank'],
      });
      for (const secret of [link.customer_id, 'do-not-show', 'REF-SECRET-1', owner.id]) expect(response.body, secret).not.toContain(secret);
    });

    it('an Authorization header changes nothing; another merchant’s key does not hide the link', async () => {
      const link = await createLink();
      const plain = (await read(link.id)).json();
      for (const key of [owner.sandboxSecret, other.sandboxSecret, owner.sandboxPublishable, 'garbage']) {
        const response = await read(link.id, bearer(key));
        expect(response.statusCode, key).toBe(200);
        expect(response.json()).toEqual(plain);
      }
    });

    it('404 Payment link not found for unknown ids, other prefixes and other objects', async () => {
      const link = await createLink();
      for (const id of ['plink_6819d804aaaaa', 'payin_6819d804aaaaa', 'order_6819d804aaaaa', link.customer_id, 'x']) {
        for (const response of [await read(id), await pay(id, { method: 'card', card: card(VISA_SUCCESS) }),
          await app.inject(`/api/public/v1/payment-link/${id}/bank_transfer_details`)]) {
          expect(response.statusCode, id).toBe(404);
          expect(response.json()).toEqual(NOT_FOUND);
        }
      }
    });

    it('says when a link is cancelled, expired or paid: not payable', async () => {
      const cancelled = await createLink();
      expect((await api('PATCH', `/api/v1/payin/${cancelled.id}/cancel`)).statusCode).toBe(200);
      expect((await read(cancelled.id)).json()).toMatchObject({ status: 'cancelled', payable: false });
      const paid = await createLink();
      expect((await pay(paid.id, { method: 'card', card: card(VISA_SUCCESS) })).statusCode).toBe(201);
      expect((await read(paid.id)).json()).toMatchObject({ status: 'paid', payable: false, amount_paid: 1_000, amount_remaining: 0, amount_due: 0 });
      const expiring = await createLink({ expires_at: new Date(Date.now() + 60_000).toISOString() });
      expect((await api('POST', '/api/v1/sandbox/clock/advance', { seconds: 120 })).statusCode).toBe(200);
      expect((await read(expiring.id)).json()).toMatchObject({ status: 'expired', payable: false });
      const refused = await pay(expiring.id, { method: 'card', card: card(VISA_SUCCESS) });
      expect(refused.json()).toMatchObject({ message: 'Payment link is expired: a payment can only be made while it is active' });
    });
  });

  describe('POST /api/public/v1/payment-link/{id}/payments (sandbox)', () => {
    it("a card: 201 success signed with the merchant's secret key (the link id in the order id's place); the link is paid with its event", async () => {
      const link = await createLink();
      const response = await pay(link.id, { method: 'card', card: card(VISA_SUCCESS) });
      expect(response.statusCode, response.body).toBe(201);
      const result = response.json();
      expect(Value.Check(PaymentLinkPaymentResult, result)).toBe(true);
      expect(result).toMatchObject({
        payment_link_id: link.id, status: 'success', payment_link_status: 'paid', amount_paid: 1_000, amount_remaining: 0,
        payment_amount: 1_000, payment_currency: 'USD',
      });
      expect(verifyPaymentSignature(owner.sandboxSecret, link.id, result.payment_id, 'success', result.signature)).toBe(true);
      expect(verifyPaymentSignature(other.sandboxSecret, link.id, result.payment_id, 'success', result.signature)).toBe(false);
      const now = await linkOf(link.id);
      expectSchema('PaymentLinkResponse', now);
      expect(now).toMatchObject({ status: 'paid', amount_paid: 1_000 });
      expect(now).not.toHaveProperty('payment_link');
      const payment = await api('GET', `/api/v1/payment/${result.payment_id}`);
      expect(payment.json()).toMatchObject({ status: 'success', payin_id: link.id, payin_type: 'payment_link', payment_method: { type: 'card' } });
      const rows = await linkEvents(link.id);
      expect(rows.map((row) => row.eventType)).toEqual(['active', 'paid']);
      expectSchema('PaymentLinkResponse', rows[1]!.data);
      const again = await pay(link.id, { method: 'card', card: card(VISA_SUCCESS) });
      expect(again.statusCode).toBe(400);
      expect(again.json()).toEqual({ error: 'Bad Request', message: 'Payment link is paid: a payment can only be made while it is active', code: 'INVALID_STATE' });
    });

    it('a card with the OTP: 200 otp_required recording nothing, then 201 with the OTP; a declined card leaves the link payable', async () => {
      const link = await createLink();
      const first = await pay(link.id, { method: 'card', card: card(VISA_OTP_SUCCESS) });
      expect(first.statusCode, first.body).toBe(200);
      expect(Value.Check(OtpRequired, first.json())).toBe(true);
      expect(await paymentsOf(link.id)).toEqual([]);
      const declined = await pay(link.id, { method: 'card', card: card(VISA_FAILURE) });
      expect(declined.json()).toMatchObject({ status: 'failed', payment_link_status: 'active', error_code: 'PAYMENT_DECLINED' });
      expect(verifyPaymentSignature(owner.sandboxSecret, link.id, declined.json().payment_id, 'failed', declined.json().signature)).toBe(true);
      const second = await pay(link.id, { method: 'card', card: card(VISA_OTP_SUCCESS), otp: '123456' });
      expect(second.statusCode, second.body).toBe(201);
      expect(second.json()).toMatchObject({ status: 'success', payment_link_status: 'paid' });
      expect((await paymentsOf(link.id)).map((p) => p.status).sort()).toEqual(['failed', 'success']);
    });

    it('bank transfer details quote the link, and "I have sent the transfer" and pay via bank pay it', async () => {
      const link = await createLink();
      const details = await app.inject(`/api/public/v1/payment-link/${link.id}/bank_transfer_details`);
      expect(details.statusCode, details.body).toBe(200);
      expect(Value.Check(PaymentLinkBankTransferDetails, details.json())).toBe(true);
      expect(details.json()).toMatchObject({ payment_link_id: link.id, amount: 1_000, currency: 'USD', bank_name: 'Glomo Sandbox Bank', reference: link.id });
      const transfer = await pay(link.id, { method: 'bank_transfer' });
      expect(transfer.json()).toMatchObject({ status: 'success', payment_link_status: 'paid' });
      const viaBank = await createLink();
      expect((await pay(viaBank.id, { method: 'pay_via_bank' })).json()).toMatchObject({ status: 'success', payment_link_status: 'paid' });
      const methods = (await paymentsOf(link.id)).concat(await paymentsOf(viaBank.id)).map((p) => p.methodType);
      expect(methods).toEqual(['bank_transfer', 'pay_via_bank']);
    });

    it("offers only the link's payment_methods", async () => {
      const link = await createLink({ payment_methods: ['card'] });
      for (const method of ['bank_transfer', 'pay_via_bank']) {
        const response = await pay(link.id, { method });
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ message: `Payment link does not accept ${method} payments` });
      }
      expect((await app.inject(`/api/public/v1/payment-link/${link.id}/bank_transfer_details`)).statusCode).toBe(400);
      expect(await paymentsOf(link.id)).toEqual([]);
    });

    it('refuses unknown fields and a part on a link that does not allow partial payments', async () => {
      const link = await createLink();
      expect((await pay(link.id, { method: 'card', card: card(VISA_SUCCESS), extra: 1 })).statusCode).toBe(400);
      const part = await pay(link.id, { method: 'card', card: card(VISA_SUCCESS), amount: 400 });
      expect(part.statusCode).toBe(400);
      expect(part.json()).toEqual({
        error: 'Bad Request', message: 'This payment link does not allow partial payments: pay the whole amount due', code: 'INVALID_PARAMETER',
      });
      // The whole amount, named, is fine.
      expect((await pay(link.id, { method: 'card', card: card(VISA_SUCCESS), amount: 1_000 })).json()).toMatchObject({ status: 'success' });
    });
  });

  describe('partial payments (allow_partial_payments)', () => {
    it('pays in parts on the page: partially_paid with amount_paid and its events until paid; never more than remains', async () => {
      const link = await createLink({ allow_partial_payments: true });
      expect(link).toMatchObject({ allow_partial_payments: true, amount_paid: 0 });
      const first = await pay(link.id, { method: 'card', card: card(VISA_SUCCESS), amount: 400 });
      expect(first.statusCode, first.body).toBe(201);
      expect(first.json()).toMatchObject({ status: 'success', payment_link_status: 'partially_paid', amount_paid: 400, amount_remaining: 600, payment_amount: 400 });
      const partly = await linkOf(link.id);
      expectSchema('PaymentLinkResponse', partly);
      expect(partly).toMatchObject({ status: 'partially_paid', amount_paid: 400, payment_link: `${PUBLIC_URL}/payin/pl/${link.id}` });
      expect((await read(link.id)).json()).toMatchObject({ status: 'partially_paid', payable: true, amount_paid: 400, amount_remaining: 600, amount_due: 600 });
      const details = await app.inject(`/api/public/v1/payment-link/${link.id}/bank_transfer_details?amount=250`);
      expect(details.json()).toMatchObject({ amount: 250 });

      const tooMuch = await pay(link.id, { method: 'card', card: card(VISA_SUCCESS), amount: 700 });
      expect(tooMuch.statusCode).toBe(400);
      expect(tooMuch.json()).toEqual({ error: 'Bad Request', message: 'Amount must not exceed what remains to be paid in USD: 600', code: 'INVALID_PARAMETER' });
      const second = await pay(link.id, { method: 'bank_transfer', amount: 250 });
      expect(second.json()).toMatchObject({ payment_link_status: 'partially_paid', amount_paid: 650 });
      const rest = await pay(link.id, { method: 'pay_via_bank' });
      expect(rest.json()).toMatchObject({ status: 'success', payment_link_status: 'paid', amount_paid: 1_000, amount_remaining: 0, payment_amount: 350 });

      const rows = await linkEvents(link.id);
      expect(rows.map((row) => [row.eventType, (row.data as Link).amount_paid])).toEqual([
        ['active', 0], ['partially_paid', 400], ['partially_paid', 650], ['paid', 1_000],
      ]);
      for (const row of rows) expectSchema('PaymentLinkResponse', row.data);
      const paid = await paymentsOf(link.id);
      expect(paid.map((p) => p.requestedAmount).sort()).toEqual([250n, 350n, 400n]);
      const list = await api('GET', `/api/v1/payment?payin_id=${link.id}`);
      expect(list.json().data).toHaveLength(3);
    });

    it('the mock pays less than what remains by card or bank transfer; more is refused or held', async () => {
      const link = await createLink({ allow_partial_payments: true });
      const mock = (payload: Record<string, unknown>) => api('POST', '/api/v1/payment/mock', { payin_id: link.id, currency: 'USD', ...payload });
      const byCard = await mock({ amount: 300, payment_method: 'Card', card_number: VISA_SUCCESS.replace(/ /g, '') });
      expect(byCard.statusCode, byCard.body).toBe(201);
      expect(byCard.json()).toMatchObject({ status: 'success', requested_amount: 300, payment_amount: 300 });
      expect(await linkOf(link.id)).toMatchObject({ status: 'partially_paid', amount_paid: 300 });
      const overCard = await mock({ amount: 900, payment_method: 'Card', card_number: VISA_SUCCESS.replace(/ /g, '') });
      expect(overCard.statusCode).toBe(400);
      const byTransfer = await mock({ amount: 200, payment_method: 'BankTransfer' });
      expect(byTransfer.json()).toMatchObject({ status: 'success', requested_amount: 200 });
      const overTransfer = await mock({ amount: 900, payment_method: 'BankTransfer' });
      expect(overTransfer.json()).toMatchObject({ status: 'action_required', error_code: 'PAYIN_AMOUNT_MISMATCH' });
      const otherCurrency = await mock({ amount: 100, currency: 'EUR', payment_method: 'BankTransfer' });
      expect(otherCurrency.json()).toMatchObject({ status: 'action_required', error_code: 'PAYIN_AMOUNT_MISMATCH' });
      const rest = await mock({ amount: 500, payment_method: 'BankTransfer' });
      expect(rest.json()).toMatchObject({ status: 'success' });
      expect(await linkOf(link.id)).toMatchObject({ status: 'paid', amount_paid: 1_000 });
    });

    it('with a fee the customer bears, a part costs its fee on top and counts as the part', async () => {
      const merchant = await createTestMerchant();
      const key = merchant.sandboxSecret;
      const cust = (await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() })).json().id;
      expect((await app.inject({ method: 'POST', url: '/api/v1/prices', headers: bearer(key), payload: { pricing_type: 'percentage', bps: 300 } })).statusCode).toBe(201);
      expect((await app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${merchant.id}`, headers: bearer(ADMIN_TOKEN), payload: { payin_fee_bearer: 'customer' } })).statusCode).toBe(200);
      const link = (await app.inject({
        method: 'POST', url: '/api/v1/payin', headers: bearer(key),
        payload: { customer_id: cust, currency: 'USD', amount: 1_000, purpose_code: 'P1401', expires_at: new Date(Date.now() + DAY_MS).toISOString(), payment_methods: ['card'], allow_partial_payments: true },
      })).json() as Link;
      expect((await read(link.id)).json()).toMatchObject({ amount_due: 1_030 });
      // 400 of the link costs 412 (3 %); the mock sends what the payer paid.
      const mocked = await app.inject({ method: 'POST', url: '/api/v1/payment/mock', headers: bearer(key), payload: { payin_id: link.id, currency: 'USD', amount: 412, payment_method: 'Card', card_number: VISA_SUCCESS.replace(/ /g, '') } });
      expect(mocked.json()).toMatchObject({ status: 'success', requested_amount: 400, payment_amount: 412 });
      const paged = await pay(link.id, { method: 'card', card: card(VISA_SUCCESS), amount: 100 });
      expect(paged.json()).toMatchObject({ amount_paid: 500, payment_amount: 103 });
      await expectLedgerConsistent(merchant.id);
    });

    it('concurrent parts never pay more than the amount: the link row lock refuses the one that no longer fits', async () => {
      const link = await createLink({ allow_partial_payments: true });
      const results = await Promise.all([600, 600, 600].map((amount) => pay(link.id, { method: 'card', card: card(VISA_SUCCESS), amount })));
      const codes = results.map((r) => r.statusCode).sort();
      expect(codes).toEqual([201, 400, 400]);
      expect(await linkOf(link.id)).toMatchObject({ status: 'partially_paid', amount_paid: 600 });
      expect((await paymentsOf(link.id)).filter((p) => p.status === 'success')).toHaveLength(1);
      await expectLedgerConsistent(owner.id);
    });
  });

  describe('reminders (reminder_frequency)', () => {
    it('records last_reminder_sent_at on the schedule the test clock drives; PATCH reschedules; none once paid', async () => {
      const merchant = await createTestMerchant();
      const key = merchant.sandboxSecret;
      const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) =>
        app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
      const cust = (await call('POST', '/api/v1/customer', customerBody())).json().id;
      const created = (await call('POST', '/api/v1/payin', {
        customer_id: cust, currency: 'USD', amount: 1_000, purpose_code: 'P1401', expires_at: new Date(Date.now() + 30 * DAY_MS).toISOString(),
        payment_methods: ['card'], reminder_frequency: 2, allow_partial_payments: true,
      })).json() as Link & { created_at: string };
      expect(created).not.toHaveProperty('last_reminder_sent_at');
      const at = (offsetDays: number) => new Date(Date.parse(created.created_at) + offsetDays * DAY_MS);
      const advanceTo = async (date: Date) => expect((await call('POST', '/api/v1/sandbox/clock/advance', { to: date.toISOString() })).statusCode).toBe(200);
      const reminded = async () => (await call('GET', `/api/v1/payin/${created.id}`)).json().last_reminder_sent_at as string | undefined;
      // A reminder counted from a request: the clock runs on (real time plus the offset) between the advance and it.
      const soonAfter = (iso: string | undefined, date: Date) => {
        const late = Date.parse(iso ?? '') - date.getTime();
        expect(late, iso).toBeGreaterThan(-1000);
        expect(late, iso).toBeLessThan(60_000);
      };

      await advanceTo(at(1.9));
      expect(await reminded()).toBeUndefined();
      await advanceTo(at(2.1));
      const first = await reminded();
      soonAfter(first, at(2));
      await advanceTo(at(4.1));
      const second = await reminded();
      soonAfter(second, new Date(Date.parse(first!) + 2 * DAY_MS));

      // Weekly from now: the every-other-day reminder due at day 6 no longer comes.
      const patched = await call('PATCH', `/api/v1/payin/${created.id}`, { reminder_frequency: 7 });
      expect(patched.statusCode, patched.body).toBe(200);
      await advanceTo(at(10));
      expect(await reminded()).toBe(second);
      await advanceTo(at(11.2));
      const weekly = await reminded();
      soonAfter(weekly, at(11.1));

      // A partly paid link is still reminded; a paid one no longer.
      const part = await app.inject({ method: 'POST', url: `/api/public/v1/payment-link/${created.id}/payments`, payload: { method: 'card', card: card(VISA_SUCCESS), amount: 100 } });
      expect(part.json()).toMatchObject({ payment_link_status: 'partially_paid' });
      await advanceTo(at(18.2));
      const next = await reminded();
      soonAfter(next, new Date(Date.parse(weekly!) + 7 * DAY_MS));
      const rest = await app.inject({ method: 'POST', url: `/api/public/v1/payment-link/${created.id}/payments`, payload: { method: 'card', card: card(VISA_SUCCESS) } });
      expect(rest.json()).toMatchObject({ payment_link_status: 'paid' });
      await advanceTo(at(29));
      expect(await reminded()).toBe(next);
      expectSchema('PaymentLinkResponse', (await call('GET', `/api/v1/payin/${created.id}`)).json());
    });

    it('stops at expiry: no reminder of a link that can no longer be paid', async () => {
      const merchant = await createTestMerchant();
      const key = merchant.sandboxSecret;
      const cust = (await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() })).json().id;
      const created = (await app.inject({
        method: 'POST', url: '/api/v1/payin', headers: bearer(key), payload: {
          customer_id: cust, currency: 'USD', amount: 1_000, purpose_code: 'P1401', expires_at: new Date(Date.now() + 1.5 * DAY_MS).toISOString(),
          payment_methods: ['card'], reminder_frequency: 1,
        },
      })).json() as Link;
      expect((await app.inject({ method: 'POST', url: '/api/v1/sandbox/clock/advance', headers: bearer(key), payload: { seconds: 5 * 86_400 } })).statusCode).toBe(200);
      const now = (await app.inject({ method: 'GET', url: `/api/v1/payin/${created.id}`, headers: bearer(key) })).json();
      expect(now.status).toBe('expired');
      // One reminder (day 1); day 2 is past expires_at.
      expect(now.last_reminder_sent_at).toEqual(expect.any(String));
      expect(Date.parse(now.last_reminder_sent_at)).toBeLessThan(Date.parse(now.expires_at));
    });
  });

  describe('production', () => {
    it('the view is served, but nothing can be paid: this server has no card processor or bank connection', async () => {
      const link = await createLink({}, owner.productionSecret);
      expect(link.payment_link).toBe(`${PUBLIC_URL}/payin/pl/${link.id}`);
      expect((await page(link.id)).body).toContain('data-mode="live"');
      expect((await read(link.id)).json()).toMatchObject({ status: 'active', payable: true });
      for (const body of [{ method: 'card', card: card(VISA_SUCCESS) }, { method: 'pay_via_bank' }, { method: 'bank_transfer' }]) {
        const response = await pay(link.id, body);
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ code: 'PAYMENT_METHOD_UNAVAILABLE' });
      }
      expect(await paymentsOf(link.id)).toEqual([]);
    });
  });

  it('leaves the ledger consistent', async () => {
    await expectLedgerConsistent(owner.id);
  });
});
