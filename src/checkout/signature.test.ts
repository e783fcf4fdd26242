import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { paymentSignature, verifyPaymentSignature } from './signature.js';

const SECRET = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZXJjaF8xIn0.c2lnbmF0dXJl';
const ORDER = 'order_678a4c88hpAjf';
const PAYMENT = 'payt_E602dMzgjpDC';

describe('paymentSignature', () => {
  it('is the lowercase hex HMAC-SHA256 of order_id|payment_id|status keyed with the secret key', () => {
    const expected = createHmac('sha256', SECRET).update('order_678a4c88hpAjf|payt_E602dMzgjpDC|success').digest('hex');
    expect(paymentSignature(SECRET, ORDER, PAYMENT, 'success')).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it("matches the notes' test vector (notes-payins §7.4)", () => {
    expect(paymentSignature('test_secret_key', ORDER, PAYMENT, 'success'))
      .toBe('31008853b8ed9f746854e83a9448589557a108b270877175680d1dee6b69f08d');
  });

  it('differs for every changed input', () => {
    const base = paymentSignature(SECRET, ORDER, PAYMENT, 'success');
    expect(paymentSignature(`${SECRET}x`, ORDER, PAYMENT, 'success')).not.toBe(base);
    expect(paymentSignature(SECRET, 'order_678a4c88hpAjg', PAYMENT, 'success')).not.toBe(base);
    expect(paymentSignature(SECRET, ORDER, 'payt_E602dMzgjpDD', 'success')).not.toBe(base);
    expect(paymentSignature(SECRET, ORDER, PAYMENT, 'failed')).not.toBe(base);
  });
});

describe('verifyPaymentSignature', () => {
  const good = paymentSignature(SECRET, ORDER, PAYMENT, 'success');

  it('accepts the signature, in either hex case', () => {
    expect(verifyPaymentSignature(SECRET, ORDER, PAYMENT, 'success', good)).toBe(true);
    expect(verifyPaymentSignature(SECRET, ORDER, PAYMENT, 'success', good.toUpperCase())).toBe(true);
  });

  it('refuses tampered values and another key', () => {
    expect(verifyPaymentSignature(SECRET, ORDER, PAYMENT, 'failed', good)).toBe(false);
    expect(verifyPaymentSignature(SECRET, 'order_678a4c88hpAjg', PAYMENT, 'success', good)).toBe(false);
    expect(verifyPaymentSignature(SECRET, ORDER, 'payt_E602dMzgjpDD', 'success', good)).toBe(false);
    expect(verifyPaymentSignature('test_secret_key', ORDER, PAYMENT, 'success', good)).toBe(false);
    // Moving the separator between fields must not keep the signature valid.
    expect(verifyPaymentSignature(SECRET, `${ORDER}|${PAYMENT}`, 'success', '', good)).toBe(false);
  });

  it('refuses a tampered, truncated, extended or non-hex signature without throwing', () => {
    const flipped = `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`;
    for (const signature of [flipped, good.slice(0, 63), `${good}0`, `${good}00`, '', 'z'.repeat(64), ` ${good.slice(1)}`]) {
      expect(verifyPaymentSignature(SECRET, ORDER, PAYMENT, 'success', signature), signature).toBe(false);
    }
  });
});
