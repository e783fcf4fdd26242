// What settlement tests set up: a withdrawal account for the merchant, and successful payments whose funds are
// available (what a settlement takes), each through the API as a merchant and the operator would.
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import { ADMIN_TOKEN, bearer, customerBody } from './app.js';

/** A USD sandbox withdrawal account (the rail fails one whose number ends 9910). */
export const WITHDRAWAL_ACCOUNT = {
  holder_name: 'Test Arts & Crafts Pvt Ltd', account_number: '1234567890', bank_name: 'Yes Bank', bic_primary: 'YESBINBB',
  currency: 'USD', country: 'ind', env: 'sandbox',
};

/** Registers the merchant's withdrawal account through the operator API; answers its id. */
export async function registerWithdrawalAccount(app: App, merchantId: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await app.inject({
    method: 'POST', url: `/admin/v1/merchants/${merchantId}/withdrawal_accounts`, headers: bearer(ADMIN_TOKEN),
    payload: { ...WITHDRAWAL_ACCOUNT, ...overrides },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

/**
 * A successful bank-transfer payment of a new order, paid at the sandbox clock's now, its funds made available unless
 * `available: false`; answers the payment's id.
 */
export async function settleablePayment(
  app: App, key: string, amount: number, options: { available?: boolean; currency?: string } = {},
): Promise<string> {
  const currency = options.currency ?? 'USD';
  const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() });
  expect(customer.statusCode, customer.body).toBe(201);
  const order = await app.inject({
    method: 'POST', url: '/api/v1/orders', headers: bearer(key),
    payload: { customer_id: customer.json().id, currency, amount, payment_methods: ['bank_transfer'] },
  });
  expect(order.statusCode, order.body).toBe(201);
  const paid = await app.inject({
    method: 'POST', url: '/api/v1/payment/mock', headers: bearer(key),
    payload: { payin_id: order.json().id, amount, currency, payment_method: 'BankTransfer' },
  });
  expect(paid.statusCode, paid.body).toBe(201);
  expect(paid.json().status).toBe('success');
  if (options.available ?? true) {
    const available = await app.inject({ method: 'PATCH', url: `/api/v1/payment/${paid.json().id}/mock-funds-available`, headers: bearer(key) });
    expect(available.statusCode, available.body).toBe(200);
  }
  return paid.json().id;
}
