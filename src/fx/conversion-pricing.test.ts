import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent } from '../core/iso.js';
import { crossRate, parseRate, type Rate } from '../core/money.js';
import { priceConversion } from './conversion-pricing.js';
import { DEFAULT_RATE_TABLE } from './default-rates.js';

const mid = (text: string): Rate => parseRate(text);
const USD_JPY = mid('151.5');
const JPY_USD = mid('0.006600660066');
const USD_KWD = mid('0.3075');
const KWD_BHD = mid('1.222764228');
const BHD_JPY = mid('402.9255319');
const ONE = mid('1');

// The rule re-derived with exact rationals, independent of money.ts and conversion-pricing.ts.
function referenceFee(sourceAmount: bigint, bps: number): bigint {
  const product = sourceAmount * BigInt(bps); // sourceAmount >= 0 here
  return (product + 9_999n) / 10_000n;
}
function exactTarget(netSource: bigint, from: string, to: string, rate: Rate): { num: bigint; den: bigint } {
  return {
    num: netSource * rate.units * 10n ** BigInt(currencyExponent(to)),
    den: 10n ** BigInt(rate.scale) * 10n ** BigInt(currencyExponent(from)),
  };
}
// What the source rule pays out for sourceAmount (0 when nothing is left after the fee).
function referenceSourceRule(sourceAmount: bigint, from: string, to: string, rate: Rate, bps: number): bigint {
  const netSource = sourceAmount - referenceFee(sourceAmount, bps);
  if (netSource < 1n) return 0n;
  const { num, den } = exactTarget(netSource, from, to, rate);
  return num / den;
}

describe('priceConversion from a source amount', () => {
  it('converts without markup, rounding the target down', () => {
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 0, sourceAmount: 10_000n })).toEqual({
      ok: true, sourceAmount: 10_000n, fee: 0n, netSource: 10_000n, targetAmount: 15_150n,
    });
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 0, sourceAmount: 1234n })).toEqual({
      ok: true, sourceAmount: 1234n, fee: 0n, netSource: 1234n, targetAmount: 1869n, // 1869.51 yen
    });
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'KWD', mid: USD_KWD, markupBps: 0, sourceAmount: 1n })).toEqual({
      ok: true, sourceAmount: 1n, fee: 0n, netSource: 1n, targetAmount: 3n, // 3.075 fils
    });
  });

  it('takes a 50 bps fee in the source currency, rounded up, and converts the rest', () => {
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 50, sourceAmount: 10_000n })).toEqual({
      ok: true, sourceAmount: 10_000n, fee: 50n, netSource: 9950n, targetAmount: 15_074n, // 15074.25 yen
    });
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 50, sourceAmount: 101n })).toEqual({
      ok: true, sourceAmount: 101n, fee: 1n, netSource: 100n, targetAmount: 151n, // fee 0.505 cents -> 1
    });
    expect(priceConversion({ sourceCurrency: 'JPY', targetCurrency: 'USD', mid: JPY_USD, markupBps: 50, sourceAmount: 15_150n })).toEqual({
      ok: true, sourceAmount: 15_150n, fee: 76n, netSource: 15_074n, targetAmount: 9949n, // fee 75.75 yen; 9949.83 cents
    });
    expect(priceConversion({ sourceCurrency: 'KWD', targetCurrency: 'BHD', mid: KWD_BHD, markupBps: 50, sourceAmount: 12_345n })).toEqual({
      ok: true, sourceAmount: 12_345n, fee: 62n, netSource: 12_283n, targetAmount: 15_019n, // fee 61.725 fils
    });
    expect(priceConversion({ sourceCurrency: 'BHD', targetCurrency: 'JPY', mid: BHD_JPY, markupBps: 50, sourceAmount: 5000n })).toEqual({
      ok: true, sourceAmount: 5000n, fee: 25n, netSource: 4975n, targetAmount: 2004n, // 2004.55 yen
    });
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'USD', mid: ONE, markupBps: 50, sourceAmount: 201n })).toEqual({
      ok: true, sourceAmount: 201n, fee: 2n, netSource: 199n, targetAmount: 199n, // fee 1.005 cents -> 2
    });
  });

  it('refuses amounts that leave nothing to convert or convert to less than one target minor unit', () => {
    const tooSmall = { ok: false, reason: 'amount_too_small' };
    expect(priceConversion({ sourceCurrency: 'BHD', targetCurrency: 'JPY', mid: BHD_JPY, markupBps: 0, sourceAmount: 2n })).toEqual(tooSmall); // 0.81 yen
    expect(priceConversion({ sourceCurrency: 'BHD', targetCurrency: 'JPY', mid: BHD_JPY, markupBps: 0, sourceAmount: 3n })).toMatchObject({ ok: true, targetAmount: 1n });
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'KWD', mid: USD_KWD, markupBps: 50, sourceAmount: 1n })).toEqual(tooSmall); // fee takes the cent
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 0, sourceAmount: 0n })).toEqual(tooSmall);
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 0, sourceAmount: -100n })).toEqual(tooSmall);
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 10_000, sourceAmount: 10_000n })).toEqual(tooSmall);
  });
});

describe('priceConversion for a target amount', () => {
  it('delivers exactly the target for the smallest source amount', () => {
    // 101 cents net 153.015 yen; 100 cents only 151.5, so 152 yen costs 101 cents and the merchant gets 152.
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 0, targetAmount: 152n })).toEqual({
      ok: true, sourceAmount: 101n, fee: 0n, netSource: 101n, targetAmount: 152n,
    });
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 50, targetAmount: 15_074n })).toEqual({
      ok: true, sourceAmount: 10_000n, fee: 50n, netSource: 9950n, targetAmount: 15_074n,
    });
    expect(priceConversion({ sourceCurrency: 'JPY', targetCurrency: 'USD', mid: JPY_USD, markupBps: 50, targetAmount: 100n })).toEqual({
      ok: true, sourceAmount: 153n, fee: 1n, netSource: 152n, targetAmount: 100n,
    });
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'KWD', mid: USD_KWD, markupBps: 50, targetAmount: 1000n })).toEqual({
      ok: true, sourceAmount: 328n, fee: 2n, netSource: 326n, targetAmount: 1000n,
    });
    expect(priceConversion({ sourceCurrency: 'BHD', targetCurrency: 'JPY', mid: BHD_JPY, markupBps: 50, targetAmount: 1000n })).toEqual({
      ok: true, sourceAmount: 2495n, fee: 13n, netSource: 2482n, targetAmount: 1000n,
    });
    expect(priceConversion({ sourceCurrency: 'KWD', targetCurrency: 'BHD', mid: KWD_BHD, markupBps: 0, targetAmount: 1222n })).toEqual({
      ok: true, sourceAmount: 1000n, fee: 0n, netSource: 1000n, targetAmount: 1222n,
    });
  });

  it('is minimal where the rounded-up fee steps: 200 net needs 202, since 201 pays a 2 fee too', () => {
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'USD', mid: ONE, markupBps: 50, targetAmount: 200n })).toEqual({
      ok: true, sourceAmount: 202n, fee: 2n, netSource: 200n, targetAmount: 200n,
    });
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'USD', mid: ONE, markupBps: 50, targetAmount: 199n })).toEqual({
      ok: true, sourceAmount: 200n, fee: 1n, netSource: 199n, targetAmount: 199n,
    });
    // Checked against the source rule: 201 yields 199 < 200 and 202 yields 200.
    expect(referenceSourceRule(201n, 'USD', 'USD', ONE, 50)).toBe(199n);
    expect(referenceSourceRule(202n, 'USD', 'USD', ONE, 50)).toBe(200n);
  });

  it('refuses targets below one minor unit and a markup that takes everything', () => {
    const tooSmall = { ok: false, reason: 'amount_too_small' };
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 0, targetAmount: 0n })).toEqual(tooSmall);
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 50, targetAmount: -1n })).toEqual(tooSmall);
    expect(priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 10_000, targetAmount: 100n })).toEqual(tooSmall);
  });
});

describe('priceConversion input checks', () => {
  it('throws on invalid markups, unknown currencies and ambiguous amounts', () => {
    for (const markupBps of [-1, 10_001, 0.5]) {
      expect(() => priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps, sourceAmount: 100n })).toThrow(/Basis points/);
      expect(() => priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps, targetAmount: 100n })).toThrow(/Basis points/);
      expect(() => priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps, targetAmount: 0n })).toThrow(/Basis points/);
    }
    expect(() => priceConversion({ sourceCurrency: 'USD', targetCurrency: 'XYZ', mid: USD_JPY, markupBps: 0, sourceAmount: 100n })).toThrow(/Unknown currency/);
    expect(() => priceConversion({ sourceCurrency: 'usd', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 0, targetAmount: 100n })).toThrow(/Unknown currency/);
    expect(() => priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 0, sourceAmount: 1n, targetAmount: 1n })).toThrow(/exactly one/);
    expect(() => priceConversion({ sourceCurrency: 'USD', targetCurrency: 'JPY', mid: USD_JPY, markupBps: 0 } as never)).toThrow(/exactly one/);
  });
});

describe('priceConversion properties over the default table', () => {
  const codes = Object.keys(DEFAULT_RATE_TABLE.rates);
  const perBase = (currency: string): Rate => parseRate(DEFAULT_RATE_TABLE.rates[currency] ?? 'missing');
  const pair = fc.tuple(fc.constantFrom(...codes), fc.constantFrom(...codes)).map(([from, to]) => ({ from, to, mid: crossRate(perBase(from), perBase(to)) }));
  const amount = fc.bigInt({ min: 1n, max: 10n ** 15n });
  const bps = fc.integer({ min: 0, max: 500 });

  it('source mode: the fee is ceil(S x bps / 10000), fee + net = S, and target <= exact(net x mid) < target + 1', () => {
    fc.assert(
      fc.property(amount, pair, bps, (sourceAmount, { from, to, mid: rate }, markupBps) => {
        const result = priceConversion({ sourceCurrency: from, targetCurrency: to, mid: rate, markupBps, sourceAmount });
        const fee = referenceFee(sourceAmount, markupBps);
        const net = sourceAmount - fee;
        const { num, den } = exactTarget(net, from, to, rate);
        if (!result.ok) {
          expect(result.reason).toBe('amount_too_small');
          expect(net < 1n || num < den).toBe(true); // nothing to convert, or less than one target minor unit
          return;
        }
        expect(result.sourceAmount).toBe(sourceAmount);
        expect(result.fee).toBe(fee);
        expect(result.fee + result.netSource).toBe(sourceAmount);
        expect(result.targetAmount >= 1n).toBe(true);
        expect(result.targetAmount * den <= num).toBe(true);
        expect(num < (result.targetAmount + 1n) * den).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('target mode: the target is delivered exactly, S meets it by the source rule and S - 1 does not', () => {
    fc.assert(
      fc.property(amount, pair, bps, (targetAmount, { from, to, mid: rate }, markupBps) => {
        const result = priceConversion({ sourceCurrency: from, targetCurrency: to, mid: rate, markupBps, targetAmount });
        if (!result.ok) throw new Error(`expected a price, got ${result.reason}`);
        expect(result.targetAmount).toBe(targetAmount);
        expect(result.fee).toBe(referenceFee(result.sourceAmount, markupBps));
        expect(result.fee + result.netSource).toBe(result.sourceAmount);
        expect(referenceSourceRule(result.sourceAmount, from, to, rate, markupBps) >= targetAmount).toBe(true);
        expect(referenceSourceRule(result.sourceAmount - 1n, from, to, rate, markupBps) < targetAmount).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('source and target modes agree: pricing the target-mode source amount delivers at least the target', () => {
    fc.assert(
      fc.property(amount, pair, bps, (targetAmount, { from, to, mid: rate }, markupBps) => {
        const forTarget = priceConversion({ sourceCurrency: from, targetCurrency: to, mid: rate, markupBps, targetAmount });
        if (!forTarget.ok) throw new Error(`expected a price, got ${forTarget.reason}`);
        const fromSource = priceConversion({ sourceCurrency: from, targetCurrency: to, mid: rate, markupBps, sourceAmount: forTarget.sourceAmount });
        if (!fromSource.ok) throw new Error(`expected a price, got ${fromSource.reason}`);
        expect(fromSource.fee).toBe(forTarget.fee);
        expect(fromSource.netSource).toBe(forTarget.netSource);
        expect(fromSource.targetAmount >= targetAmount).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
