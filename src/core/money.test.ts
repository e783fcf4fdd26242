import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent } from './iso.js';
import {
  basisPoints,
  convertMinor,
  crossRate,
  formatMinorUnits,
  formatRate,
  minimalSourceFor,
  parseRate,
  rateToNumber,
  type Rate,
} from './money.js';

const rate = (units: bigint, scale: number): Rate => ({ units, scale });
const cross = (perBaseFrom: string, perBaseTo: string): string => formatRate(crossRate(parseRate(perBaseFrom), parseRate(perBaseTo)));

// Exact amount x rate in target minor units as a fraction, computed independently of money.ts.
function exactConversion(amount: bigint, from: string, to: string, r: Rate): { num: bigint; den: bigint } {
  return {
    num: amount * r.units * 10n ** BigInt(currencyExponent(to)),
    den: 10n ** BigInt(r.scale) * 10n ** BigInt(currencyExponent(from)),
  };
}

const CODES = ['USD', 'JPY', 'KWD', 'BHD', 'EUR', 'INR', 'CLP'];
const arbitraryRate = fc.record({ units: fc.bigInt({ min: 1n, max: 10n ** 12n }), scale: fc.integer({ min: 0, max: 18 }) });

describe('parseRate', () => {
  it('reads plain positive decimals exactly, dropping trailing zeros', () => {
    expect(parseRate('0.92')).toEqual(rate(92n, 2));
    expect(parseRate('151.5')).toEqual(rate(1515n, 1));
    expect(parseRate('3.6725')).toEqual(rate(36725n, 4));
    expect(parseRate('1.50')).toEqual(rate(15n, 1));
    expect(parseRate('1.0')).toEqual(rate(1n, 0));
    expect(parseRate('100')).toEqual(rate(100n, 0));
    expect(parseRate('0.000000000000000001')).toEqual(rate(1n, 18));
    expect(parseRate('123456789012345678901234.5')).toEqual(rate(1234567890123456789012345n, 1));
  });

  it('rejects zero, signs, exponents, blanks and other non-plain forms', () => {
    expect(() => parseRate('0')).toThrow(/greater than zero/);
    expect(() => parseRate('0.000')).toThrow(/greater than zero/);
    expect(() => parseRate('0.0000000000000000001')).toThrow(/more than 18 fraction digits/);
    for (const bad of ['', ' ', ' 1', '1 ', '-1', '+1', '1e3', '1E3', '.5', '5.', '1,5', '01.5', '1.2.3', 'NaN', 'Infinity', '0x10', '١']) {
      expect(() => parseRate(bad), JSON.stringify(bad)).toThrow(/not a plain positive decimal/);
    }
    expect(() => parseRate(0.92 as unknown as string)).toThrow(/decimal string/);
  });
});

describe('formatRate and rateToNumber', () => {
  it('write the canonical decimal', () => {
    expect(formatRate(rate(92n, 2))).toBe('0.92');
    expect(formatRate(rate(100n, 2))).toBe('1');
    expect(formatRate(rate(1n, 0))).toBe('1');
    expect(formatRate(rate(1515n, 1))).toBe('151.5');
    expect(formatRate(rate(150n, 0))).toBe('150');
    expect(formatRate(rate(1230n, 4))).toBe('0.123');
    expect(formatRate(rate(1n, 18))).toBe('0.000000000000000001');
    for (const text of ['0.92', '151.5', '3.6725', '1', '10', '0.3075', '402.9255319']) expect(formatRate(parseRate(text))).toBe(text);
    expect(formatRate(parseRate('1.000'))).toBe('1');
    expect(() => formatRate(rate(0n, 0))).toThrow();
    expect(() => formatRate(rate(1n, -1))).toThrow();
    expect(() => formatRate(rate(1n, 1.5))).toThrow();
  });

  it('give a display number', () => {
    expect(rateToNumber(parseRate('0.92'))).toBe(0.92);
    expect(rateToNumber(parseRate('151.5'))).toBe(151.5);
  });
});

describe('crossRate', () => {
  it('divides the two per-base rates', () => {
    expect(cross('1', '151.5')).toBe('151.5'); // USD -> JPY
    expect(cross('151.5', '1')).toBe('0.006600660066'); // JPY -> USD
    expect(cross('0.92', '0.79')).toBe('0.8586956522'); // EUR -> GBP
    expect(cross('0.3075', '0.376')).toBe('1.222764228'); // KWD -> BHD
    expect(cross('0.376', '151.5')).toBe('402.9255319'); // BHD -> JPY
    expect(cross('3', '1')).toBe('0.3333333333');
    expect(cross('2', '1')).toBe('0.5');
    expect(cross('1000000', '0.000001')).toBe('0.000000000001');
  });

  it('gives exactly 1 for identical inputs, however they are written', () => {
    expect(crossRate(parseRate('151.5'), parseRate('151.5'))).toEqual(rate(1n, 0));
    expect(crossRate(rate(36725n, 4), rate(367250000n, 8))).toEqual(rate(1n, 0));
    fc.assert(
      fc.property(arbitraryRate, (r) => {
        expect(crossRate(r, r)).toEqual(rate(1n, 0));
      }),
    );
  });

  it('rounds half-even at 10 significant digits', () => {
    expect(cross('1', '1.0000000005')).toBe('1'); // tie, 1000000000 is even: down
    expect(cross('1', '1.0000000015')).toBe('1.000000002'); // tie, 1000000001 is odd: up
    expect(cross('1', '1.00000000050000001')).toBe('1.000000001'); // above the tie: up
    expect(cross('1', '1.000000000499999999')).toBe('1'); // below the tie: down
    expect(cross('1', '0.00012345678905')).toBe('0.000123456789');
    expect(cross('1', '0.00012345678925')).toBe('0.0001234567892');
    expect(cross('1', '12345678905')).toBe('12345678900'); // more integer digits than significant ones
    expect(cross('1', '12345678915')).toBe('12345678920');
    expect(cross('1', '9.99999999996')).toBe('10'); // rounding up carries into an 11th digit
  });

  it('stays within half a unit of the 10th significant digit of the exact quotient', () => {
    fc.assert(
      fc.property(arbitraryRate, arbitraryRate, (from, to) => {
        const result = crossRate(from, to);
        // exact = to / from = num / den; result = units / 10^scale.
        const num = to.units * 10n ** BigInt(from.scale);
        const den = from.units * 10n ** BigInt(to.scale);
        const error = result.units * den - num * 10n ** BigInt(result.scale);
        const absoluteError = error < 0n ? -error : error;
        // |result - exact| <= exact / (2 * 10^9), a necessary bound for correct rounding to 10 digits.
        expect(absoluteError * 2n * 10n ** 9n <= num * 10n ** BigInt(result.scale)).toBe(true);
        expect(result.units.toString().replace(/0+$/, '').length).toBeLessThanOrEqual(10);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('convertMinor', () => {
  const usdJpy = parseRate('151.5');

  it('scales between zero-, two- and three-decimal currencies and rounds as asked', () => {
    expect(convertMinor(100n, 'USD', 'JPY', usdJpy, 'floor')).toBe(151n);
    expect(convertMinor(100n, 'USD', 'JPY', usdJpy, 'ceil')).toBe(152n);
    expect(convertMinor(1234n, 'USD', 'JPY', usdJpy, 'floor')).toBe(1869n); // 1869.51
    expect(convertMinor(1234n, 'USD', 'JPY', usdJpy, 'ceil')).toBe(1870n);
    expect(convertMinor(200n, 'USD', 'JPY', usdJpy, 'floor')).toBe(303n);
    expect(convertMinor(200n, 'USD', 'JPY', usdJpy, 'ceil')).toBe(303n);
    const jpyUsd = parseRate('0.006600660066');
    expect(convertMinor(10_000n, 'JPY', 'USD', jpyUsd, 'floor')).toBe(6600n); // 6600.660066 cents
    expect(convertMinor(10_000n, 'JPY', 'USD', jpyUsd, 'ceil')).toBe(6601n);
    const usdKwd = parseRate('0.3075');
    expect(convertMinor(10_000n, 'USD', 'KWD', usdKwd, 'floor')).toBe(30_750n);
    expect(convertMinor(10_000n, 'USD', 'KWD', usdKwd, 'ceil')).toBe(30_750n);
    expect(convertMinor(1n, 'USD', 'KWD', usdKwd, 'floor')).toBe(3n); // 3.075 fils
    expect(convertMinor(1n, 'USD', 'KWD', usdKwd, 'ceil')).toBe(4n);
    const kwdBhd = parseRate('1.222764228');
    expect(convertMinor(1000n, 'KWD', 'BHD', kwdBhd, 'floor')).toBe(1222n);
    expect(convertMinor(1000n, 'KWD', 'BHD', kwdBhd, 'ceil')).toBe(1223n);
    const bhdJpy = parseRate('402.9255319');
    expect(convertMinor(1n, 'BHD', 'JPY', bhdJpy, 'floor')).toBe(0n);
    expect(convertMinor(1n, 'BHD', 'JPY', bhdJpy, 'ceil')).toBe(1n);
    expect(convertMinor(1000n, 'BHD', 'JPY', bhdJpy, 'floor')).toBe(402n);
  });

  it('is exact beyond float precision and rounds negative amounts mathematically', () => {
    expect(convertMinor(10n ** 17n + 1n, 'USD', 'JPY', usdJpy, 'floor')).toBe(151_500_000_000_000_001n); // 1.515e17 + 1.515 yen
    expect(convertMinor(10n ** 17n + 1n, 'USD', 'JPY', usdJpy, 'ceil')).toBe(151_500_000_000_000_002n);
    expect(convertMinor(0n, 'USD', 'JPY', usdJpy, 'ceil')).toBe(0n);
    expect(convertMinor(-100n, 'USD', 'JPY', usdJpy, 'floor')).toBe(-152n);
    expect(convertMinor(-100n, 'USD', 'JPY', usdJpy, 'ceil')).toBe(-151n);
  });

  it('refuses unknown or non-canonical currencies and invalid rates or rounding', () => {
    for (const bad of ['usd', 'XYZ', 'constructor', '__proto__', '']) {
      expect(() => convertMinor(1n, bad, 'JPY', usdJpy, 'floor'), bad).toThrow(/Unknown currency/);
      expect(() => convertMinor(1n, 'USD', bad, usdJpy, 'floor'), bad).toThrow(/Unknown currency/);
    }
    expect(() => convertMinor(1n, 'USD', 'JPY', rate(0n, 0), 'floor')).toThrow(/Rate/);
    expect(() => convertMinor(1n, 'USD', 'JPY', rate(-5n, 0), 'floor')).toThrow(/Rate/);
    expect(() => convertMinor(1n, 'USD', 'JPY', usdJpy, 'round' as 'floor')).toThrow(/Rounding/);
  });

  it('floor and ceil bracket the exact value', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.constantFrom(...CODES),
        fc.constantFrom(...CODES),
        arbitraryRate,
        (amount, from, to, r) => {
          const { num, den } = exactConversion(amount, from, to, r);
          const floor = convertMinor(amount, from, to, r, 'floor');
          const ceil = convertMinor(amount, from, to, r, 'ceil');
          expect(floor * den <= num && num < (floor + 1n) * den).toBe(true);
          expect((ceil - 1n) * den < num && num <= ceil * den).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('minimalSourceFor', () => {
  it('finds the smallest source that converts (rounded down) to at least the target', () => {
    const usdJpy = parseRate('151.5');
    expect(minimalSourceFor(152n, 'USD', 'JPY', usdJpy)).toBe(101n); // 100 cents give only 151 yen
    expect(minimalSourceFor(151n, 'USD', 'JPY', usdJpy)).toBe(100n);
    expect(minimalSourceFor(30_750n, 'USD', 'KWD', parseRate('0.3075'))).toBe(10_000n); // exact product
    expect(minimalSourceFor(30_751n, 'USD', 'KWD', parseRate('0.3075'))).toBe(10_001n);
    expect(minimalSourceFor(1n, 'BHD', 'JPY', parseRate('402.9255319'))).toBe(3n); // 1 fils is 0.40 yen
    expect(minimalSourceFor(6600n, 'JPY', 'USD', parseRate('0.006600660066'))).toBe(10_000n);
    expect(minimalSourceFor(0n, 'USD', 'JPY', usdJpy)).toBe(1n);
    expect(minimalSourceFor(-10n, 'USD', 'JPY', usdJpy)).toBe(1n);
  });

  it('is minimal for random targets, currencies and rates', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.constantFrom(...CODES),
        fc.constantFrom(...CODES),
        arbitraryRate,
        (target, from, to, r) => {
          const source = minimalSourceFor(target, from, to, r);
          const yields = (s: bigint): bigint => {
            const { num, den } = exactConversion(s, from, to, r);
            return num / den; // s >= 0, so truncation is floor
          };
          expect(source >= 1n).toBe(true);
          expect(yields(source) >= target).toBe(true);
          expect(yields(source - 1n) < target).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('basisPoints', () => {
  it('takes a whole-number share of an amount, rounded as asked', () => {
    expect(basisPoints(10_000n, 50, 'floor')).toBe(50n);
    expect(basisPoints(10_000n, 50, 'ceil')).toBe(50n);
    expect(basisPoints(101n, 50, 'floor')).toBe(0n); // 0.505
    expect(basisPoints(101n, 50, 'ceil')).toBe(1n);
    expect(basisPoints(1n, 0, 'ceil')).toBe(0n);
    expect(basisPoints(12_345n, 10_000, 'floor')).toBe(12_345n);
    expect(basisPoints(-101n, 50, 'floor')).toBe(-1n);
    expect(basisPoints(-101n, 50, 'ceil')).toBe(0n);
  });

  it('refuses basis points outside 0..10000 or not whole', () => {
    for (const bad of [-1, 10_001, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => basisPoints(100n, bad, 'floor'), String(bad)).toThrow(/Basis points/);
    }
  });
});

describe('formatMinorUnits', () => {
  it("writes the currency's major units with its own number of digits, grouped by thousands", () => {
    expect(formatMinorUnits(123_450n, 'USD')).toBe('USD 1,234.50');
    expect(formatMinorUnits(5n, 'USD')).toBe('USD 0.05');
    expect(formatMinorUnits(0n, 'EUR')).toBe('EUR 0.00');
    expect(formatMinorUnits(500n, 'JPY')).toBe('JPY 500');
    expect(formatMinorUnits(1_250n, 'KWD')).toBe('KWD 1.250');
    expect(formatMinorUnits(-100_000n, 'AED')).toBe('AED -1,000.00');
  });

  it('keeps every digit of amounts beyond what a float holds exactly', () => {
    expect(formatMinorUnits(12_345_678_901_234_567_891n, 'USD')).toBe('USD 123,456,789,012,345,678.91');
  });

  it('refuses a currency it does not know', () => {
    expect(() => formatMinorUnits(1n, 'usd')).toThrow('Unknown currency usd');
  });
});
