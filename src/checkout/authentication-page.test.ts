// The card authentication page of server-to-server payments, as a page: what it shows and how (the flow over HTTP,
// its settlement and callback are in modules/payments/s2s.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { systemClock } from '../core/clock.js';
import { createMerchant } from '../modules/merchants/service.js';
import { bearer, buildTestApp, customerBody } from '../../test/support/app.js';
import { testEnv } from '../../test/support/env.js';

let app: App;
let key: string;

beforeAll(async () => {
  ({ app } = await buildTestApp());
  const { database, keyRing } = await testEnv();
  const { keys } = await createMerchant({ db: database.db, keyRing, clock: systemClock }, { name: 'Ann\'s <b>Shop</b> & "Co"' });
  key = keys.sandbox.secretKey;
});

afterAll(async () => {
  await app.close();
});

async function pendingStep(): Promise<{ path: string; paymentId: string; token: string }> {
  const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() });
  const order = await app.inject({
    method: 'POST', url: '/api/v1/orders', headers: bearer(key),
    payload: { customer_id: customer.json().id, currency: 'EUR', amount: 123_456, payment_methods: ['card'] },
  });
  const payment = await app.inject({
    method: 'POST', url: '/api/v1/payment', headers: bearer(key),
    payload: {
      order_id: order.json().id, method: 'card', callback_url: 'https://shop.example.com/cb', request_id: `page-${Date.now()}`,
      card: { number: '3469 1222 2222 2222', exp_month: 1, exp_year: 2099, cvv: '1234' },
    },
  });
  expect(payment.statusCode, payment.body).toBe(201);
  const url = new URL(payment.json().next_steps.redirect_url);
  return { path: `${url.pathname}${url.search}`, paymentId: payment.json().id, token: url.searchParams.get('token')! };
}

describe('GET /payment/{id}/authenticate', () => {
  it('shows the merchant, the amount and the card (never its number), escaped, under the checkout CSP, with no script', async () => {
    const { path, paymentId, token } = await pendingStep();
    const page = await app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('Ann&#39;s &lt;b&gt;Shop&lt;/b&gt; &amp; &quot;Co&quot;');
    expect(page.body).not.toContain('<b>Shop</b>');
    expect(page.body).toContain('€1,234.56');
    expect(page.body).toContain('Amex ending in 2222');
    expect(page.body).not.toContain('3469122222222222');
    expect(page.body).not.toContain('<script');
    expect(page.body).toContain('data-mode="sandbox"');
    expect(page.body).toContain(`<form method="post" action="/payment/${paymentId}/authenticate"`);
    expect(page.body).toContain(`name="token" value="${token}"`);
    expect(page.body).toMatch(/<link rel="stylesheet" href="\/checkout\/assets\/checkout\.css\?v=[0-9a-f]{12}">/);
    const css = await app.inject({ method: 'GET', url: '/checkout/assets/checkout.css' });
    expect(css.statusCode).toBe(200);
  });

  it('answers the not-found page for a token of another payment', async () => {
    const first = await pendingStep();
    const second = await pendingStep();
    const crossed = await app.inject({ method: 'GET', url: `/payment/${first.paymentId}/authenticate?token=${second.token}` });
    expect(crossed.statusCode).toBe(404);
    expect(crossed.headers['content-type']).toMatch(/^text\/html/);
    expect(crossed.body).toContain('This card verification link does not exist or is not valid.');
  });
});
