// Bank and payment identifier formats (IFSC, UK sort code and account number, UPI ID, BIC), as iban.ts is for IBANs:
// beneficiaries and withdrawal accounts check them, and the payout rails read them to see which rails reach an account.
import { ALPHA2_BY_ALPHA3 } from './iso-data.js';

// Input is trimmed and compared in upper case (UPI IDs as sent).

/** IFSC: 4 letters (bank), `0`, 6 letters or digits (branch). */
export function isValidIfsc(value: string): boolean {
  return /^[A-Z]{4}0[A-Z0-9]{6}$/.test(value.trim().toUpperCase());
}

/** UK sort code: 6 digits, also accepted in the printed `12-34-56` form. */
export function isValidSortCode(value: string): boolean {
  return /^(\d{6}|\d{2}-\d{2}-\d{2})$/.test(value.trim());
}

/** UK domestic account number: 8 digits. */
export function isValidUkAccountNumber(value: string): boolean {
  return /^\d{8}$/.test(value.trim());
}

/** UPI virtual payment address `name@handle`, like the spec's `1111111111@ybl`. */
export function isValidUpiId(value: string): boolean {
  return /^[A-Za-z0-9._-]{2,256}@[A-Za-z][A-Za-z0-9]{1,63}$/.test(value.trim());
}

/**
 * BIC (ISO 9362): 4 letters (institution; the notes' "first 6 letters"), the ISO 3166-1 alpha-2 country, 2 letters
 * or digits (location), optionally 3 more (branch): 8 or 11 characters.
 */
export function isValidBic(value: string): boolean {
  return bicCountry(value) !== undefined;
}

/** The alpha-2 country of a valid BIC (`DEUTDEFF` -> `DE`), undefined when the input is not one. */
export function bicCountry(value: string): string | undefined {
  const bic = value.trim().toUpperCase();
  if (!/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic)) return undefined;
  const country = bic.slice(4, 6);
  return ALPHA2_COUNTRIES.has(country) || country === 'XK' ? country : undefined;
}

const ALPHA2_COUNTRIES: ReadonlySet<string> = new Set(ALPHA2_BY_ALPHA3.values());
