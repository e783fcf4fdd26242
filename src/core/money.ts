// Exact decimal rates and minor-unit rounding: every step is bigint arithmetic, no floats touch money.
import { currencyExponent, normalizeCurrency } from './iso.js';

/** A positive exact decimal: units / 10^scale (0.92 is { units: 92n, scale: 2 }). */
export interface Rate {
  readonly units: bigint;
  readonly scale: number;
}

export type Rounding = 'floor' | 'ceil';

const MAX_RATE_FRACTION_DIGITS = 18;
// Integer part without superfluous leading zeros, optional fraction; no sign, exponent, spaces or bare dots.
const PLAIN_DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
// Cross rates keep as many significant digits as market data feeds quote; more would be false precision.
const CROSS_RATE_SIGNIFICANT_DIGITS = 10;

const ONE: Rate = { units: 1n, scale: 0 };

/** Parses a positive plain decimal ("0.92", "151.5", "3.6725"); trailing zeros are dropped. */
export function parseRate(text: string): Rate {
  if (typeof text !== 'string') throw new Error('Rate must be a decimal string');
  const match = PLAIN_DECIMAL.exec(text);
  if (match === null) {
    throw new Error(`Rate ${JSON.stringify(text)} is not a plain positive decimal such as "0.92"`);
  }
  const integerDigits = match[1] ?? '';
  const fractionDigits = match[2] ?? '';
  if (fractionDigits.length > MAX_RATE_FRACTION_DIGITS) {
    throw new Error(`Rate ${JSON.stringify(text)} has more than ${MAX_RATE_FRACTION_DIGITS} fraction digits`);
  }
  const units = BigInt(integerDigits + fractionDigits);
  if (units === 0n) throw new Error(`Rate ${JSON.stringify(text)} must be greater than zero`);
  return normalizeRate(units, fractionDigits.length);
}

/** Canonical decimal text: no trailing zeros, no trailing dot ("1", "0.92"). */
export function formatRate(rate: Rate): string {
  assertRate(rate);
  const { units, scale } = normalizeRate(rate.units, rate.scale);
  if (scale === 0) return units.toString();
  const digits = units.toString().padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** For display and logs only: a float cannot carry money. */
export function rateToNumber(rate: Rate): number {
  return Number(formatRate(rate));
}

/**
 * Rate from one currency to another, given both as units per one common base currency:
 * perBaseTo / perBaseFrom, rounded half-even (banker's rounding) to 10 significant digits.
 * Identical inputs give exactly 1.
 */
export function crossRate(perBaseFrom: Rate, perBaseTo: Rate): Rate {
  assertRate(perBaseFrom);
  assertRate(perBaseTo);
  // (to.units / 10^to.scale) / (from.units / 10^from.scale) as numerator / denominator.
  const numerator = perBaseTo.units * pow10(perBaseFrom.scale);
  const denominator = perBaseFrom.units * pow10(perBaseTo.scale);
  // Shift by 10^shift so the quotient has exactly the wanted number of integer digits.
  const digitGap = numerator.toString().length - denominator.toString().length;
  let shift = CROSS_RATE_SIGNIFICANT_DIGITS - digitGap;
  if (shiftedQuotient(numerator, denominator, shift) >= pow10(CROSS_RATE_SIGNIFICANT_DIGITS)) shift -= 1;
  const scaledNumerator = shift >= 0 ? numerator * pow10(shift) : numerator;
  const scaledDenominator = shift >= 0 ? denominator : denominator * pow10(-shift);
  const rounded = divideHalfEven(scaledNumerator, scaledDenominator);
  return shift >= 0 ? normalizeRate(rounded, shift) : normalizeRate(rounded * pow10(-shift), 0);
}

/**
 * amount (minor units of fromCurrency) x rate (major toCurrency per major fromCurrency), in minor units of
 * toCurrency: amount x rate x 10^(exponent(to) - exponent(from)), rounded as asked (toward -inf or +inf).
 */
export function convertMinor(
  amount: bigint,
  fromCurrency: string,
  toCurrency: string,
  rate: Rate,
  rounding: Rounding,
): bigint {
  const { numerator, denominator } = conversionFactor(fromCurrency, toCurrency, rate);
  return divide(amount * numerator, denominator, rounding);
}

/** The smallest source amount s >= 1 with convertMinor(s, from, to, rate, 'floor') >= target. */
export function minimalSourceFor(target: bigint, fromCurrency: string, toCurrency: string, rate: Rate): bigint {
  const { numerator, denominator } = conversionFactor(fromCurrency, toCurrency, rate);
  // floor(s * n / d) >= target  <=>  s * n / d >= target (target is an integer)  <=>  s >= target * d / n.
  const smallest = divide(target * denominator, numerator, 'ceil');
  return smallest < 1n ? 1n : smallest;
}

/** amount x bps / 10000, rounded as asked; bps is a whole number from 0 to 10000. */
export function basisPoints(amount: bigint, bps: number, rounding: Rounding): bigint {
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) {
    throw new Error(`Basis points must be a whole number from 0 to 10000, got ${String(bps)}`);
  }
  return divide(amount * BigInt(bps), 10_000n, rounding);
}

/**
 * Minor units as text people read, with the currency's code and digit grouping: `USD 1,234.50`, `JPY 500`,
 * `KWD 1.250`. For messages (customer mails), never for arithmetic; bigint throughout, so no amount loses a digit.
 */
export function formatMinorUnits(amount: bigint, currency: string): string {
  const exponent = exponentOf(currency);
  const digits = (amount < 0n ? -amount : amount).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+$)/g, ',');
  const fraction = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  return `${currency} ${amount < 0n ? '-' : ''}${whole}${fraction}`;
}

// Minor units of `to` per minor unit of `from`, as an exact fraction with a positive denominator.
function conversionFactor(fromCurrency: string, toCurrency: string, rate: Rate): { numerator: bigint; denominator: bigint } {
  assertRate(rate);
  const exponentGap = exponentOf(toCurrency) - exponentOf(fromCurrency);
  return {
    numerator: rate.units * pow10(Math.max(exponentGap, 0)),
    denominator: pow10(rate.scale) * pow10(Math.max(-exponentGap, 0)),
  };
}

// currencyExponent indexes a plain object, so only codes normalizeCurrency knows reach it.
function exponentOf(currency: string): number {
  if (normalizeCurrency(currency) !== currency) throw new Error(`Unknown currency ${currency}`);
  return currencyExponent(currency);
}

function assertRate(rate: Rate): void {
  if (typeof rate.units !== 'bigint' || rate.units <= 0n || !Number.isSafeInteger(rate.scale) || rate.scale < 0) {
    throw new Error('Rate must have positive bigint units and a non-negative whole scale');
  }
}

function normalizeRate(units: bigint, scale: number): Rate {
  let normalizedUnits = units;
  let normalizedScale = scale;
  while (normalizedScale > 0 && normalizedUnits % 10n === 0n) {
    normalizedUnits /= 10n;
    normalizedScale -= 1;
  }
  return normalizedUnits === 1n && normalizedScale === 0 ? ONE : { units: normalizedUnits, scale: normalizedScale };
}

function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

function shiftedQuotient(numerator: bigint, denominator: bigint, shift: number): bigint {
  return shift >= 0 ? (numerator * pow10(shift)) / denominator : numerator / (denominator * pow10(-shift));
}

// Mathematical floor / ceiling of numerator / denominator for denominator > 0 (bigint `/` truncates toward 0).
function divide(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  if (rounding === 'floor') return remainder < 0n ? quotient - 1n : quotient;
  if (rounding === 'ceil') return remainder > 0n ? quotient + 1n : quotient;
  throw new Error(`Rounding must be 'floor' or 'ceil', got ${String(rounding)}`);
}

// Round-half-even of numerator / denominator, both positive.
function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder < denominator) return quotient;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
}
