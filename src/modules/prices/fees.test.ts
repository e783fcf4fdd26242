import { describe, expect, it } from 'vitest';
import { priceFee, type PriceTerms } from './fees.js';

const percentage = (bps: number): PriceTerms => ({ pricingType: 'percentage', feesAmount: null, feesCurrency: null, bps });
const fixed = (feesAmount: bigint, feesCurrency: string): PriceTerms => ({ pricingType: 'fixed', feesAmount, feesCurrency, bps: null });

describe('priceFee', () => {
  it('takes basis points of the amount, rounded up', () => {
    expect(priceFee(percentage(250), 10_000n, 'USD')).toEqual({ ok: true, fee: 250n });
    expect(priceFee(percentage(250), 10_001n, 'USD')).toEqual({ ok: true, fee: 251n }); // 250.025 -> 251
    expect(priceFee(percentage(1), 1n, 'USD')).toEqual({ ok: true, fee: 1n }); // 0.0001 -> 1
    expect(priceFee(percentage(1), 0n, 'USD')).toEqual({ ok: true, fee: 0n });
    expect(priceFee(percentage(10_000), 12_345n, 'USD')).toEqual({ ok: true, fee: 12_345n });
  });

  it('is exact for amounts beyond 2^53', () => {
    const amount = 2n ** 60n + 1n;
    expect(priceFee(percentage(3), amount, 'USD')).toEqual({ ok: true, fee: (amount * 3n + 9_999n) / 10_000n });
  });

  it('works in zero-decimal currencies (JPY) in the payment currency', () => {
    expect(priceFee(percentage(250), 1_999n, 'JPY')).toEqual({ ok: true, fee: 50n }); // 49.975 yen -> 50
    expect(priceFee(fixed(300n, 'JPY'), 1_999n, 'JPY')).toEqual({ ok: true, fee: 300n });
  });

  it('takes a fixed fee in its own currency, and answers currency_mismatch in another', () => {
    expect(priceFee(fixed(1_000n, 'USD'), 50_000n, 'USD')).toEqual({ ok: true, fee: 1_000n });
    expect(priceFee(fixed(1_000n, 'USD'), 50_000n, 'EUR')).toEqual({ ok: false, reason: 'currency_mismatch' });
    expect(priceFee(fixed(300n, 'JPY'), 50_000n, 'USD')).toEqual({ ok: false, reason: 'currency_mismatch' });
  });

  it('never exceeds the amount: a fixed fee above it is capped', () => {
    expect(priceFee(fixed(1_000n, 'USD'), 500n, 'USD')).toEqual({ ok: true, fee: 500n });
    expect(priceFee(fixed(1_000n, 'USD'), 0n, 'USD')).toEqual({ ok: true, fee: 0n });
  });

  it('refuses a negative amount and terms a price row cannot have', () => {
    expect(() => priceFee(percentage(250), -1n, 'USD')).toThrow(/negative/);
    expect(() => priceFee({ ...percentage(250), bps: null }, 1n, 'USD')).toThrow(/bps/);
    expect(() => priceFee({ ...fixed(1n, 'USD'), feesCurrency: null }, 1n, 'USD')).toThrow(/fees_currency/);
  });
});
