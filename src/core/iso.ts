// ISO 3166-1 alpha-3 countries and ISO 4217 currencies: any case in, upper case out.
import { COUNTRY_ALPHA3, CURRENCY_EXPONENTS } from './iso-data.js';

export function normalizeCountry(input: string): string | undefined {
  const code = input.trim().toUpperCase();
  return COUNTRY_ALPHA3.has(code) ? code : undefined;
}

export function normalizeCurrency(input: string): string | undefined {
  const code = input.trim().toUpperCase();
  return Object.hasOwn(CURRENCY_EXPONENTS, code) ? code : undefined;
}

/** Digits after the decimal point in the currency's minor unit (JPY 0, USD 2, KWD 3). */
export function currencyExponent(currency: string): number {
  if (!Object.hasOwn(CURRENCY_EXPONENTS, currency)) throw new Error(`Unknown currency ${currency}`);
  return CURRENCY_EXPONENTS[currency]!;
}
