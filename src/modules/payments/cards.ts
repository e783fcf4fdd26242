// Card checks for the payment step: the sandbox test cards (notes-payins §7.5), number format and Luhn, expiry and
// CVV. The number and the CVV live only in this call; what comes out is the network, the last four digits, the
// expiry and the outcome, which is all a payment keeps.
import { errors, type ApiError } from '../../core/errors.js';

export type CardOutcome = 'success' | 'failure';

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvv: string;
}

export interface CheckedCard {
  network: string;
  last4: string;
  expMonth: number;
  expYear: number;
  /** The sandbox test card's outcome. */
  outcome: CardOutcome;
  /** The card asks for a one-time password (3DS challenge) before its outcome. */
  otp: boolean;
}

export type CardCheck =
  | { ok: true; card: CheckedCard }
  | { ok: false; error: ApiError };

/**
 * The sandbox test cards: the number decides network, OTP and outcome. Most of these numbers fail the Luhn check,
 * as published; they are accepted because they are listed, before any Luhn check.
 */
export const TEST_CARDS: ReadonlyMap<string, { network: string; otp: boolean; outcome: CardOutcome }> = new Map([
  ['3466241111111111', { network: 'Amex', otp: false, outcome: 'success' }],
  ['3469122222222222', { network: 'Amex', otp: true, outcome: 'success' }],
  ['3490881111111112', { network: 'Amex', otp: false, outcome: 'failure' }],
  ['3790802222222223', { network: 'Amex', otp: true, outcome: 'failure' }],
  ['4916531111111111', { network: 'Mastercard', otp: false, outcome: 'success' }],
  ['4376702222222222', { network: 'Mastercard', otp: true, outcome: 'success' }],
  ['4532271111111112', { network: 'Mastercard', otp: false, outcome: 'failure' }],
  ['4556822222222223', { network: 'Mastercard', otp: true, outcome: 'failure' }],
  ['4532491111111111', { network: 'Visa', otp: false, outcome: 'success' }],
  ['4532442222222222', { network: 'Visa', otp: true, outcome: 'success' }],
  ['4556891111111112', { network: 'Visa', otp: false, outcome: 'failure' }],
  ['4597262222222223', { network: 'Visa', otp: true, outcome: 'failure' }],
]);

/** The one-time password every sandbox OTP card accepts (any other code fails the challenge). */
export const SANDBOX_OTP = '123456';

export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Spaces and dashes removed; undefined unless 12 to 19 digits remain. */
export function normalizeCardNumber(number: string): string | undefined {
  const digits = number.replace(/[\s-]/g, '');
  return /^\d{12,19}$/.test(digits) ? digits : undefined;
}

const fail = (error: ApiError): CardCheck => ({ ok: false, error });

/**
 * Checks a card for a sandbox payment at `now`: format, then the test-card list (else Luhn, then "not a test
 * card"), expiry (month 1–12, a 2- or 4-digit year, not before the current month, UTC) and CVV (4 digits for Amex,
 * 3 otherwise).
 */
export function checkSandboxCard(input: CardInput, now: Date): CardCheck {
  const number = normalizeCardNumber(input.number);
  if (number === undefined) return fail(errors.cardNumberFormat());
  const test = TEST_CARDS.get(number);
  if (!test) {
    if (!isLuhnValid(number)) return fail(errors.cardNumberInvalid());
    return fail(errors.cardNotATestCard());
  }
  const expYear = input.expYear < 100 ? 2000 + input.expYear : input.expYear;
  if (!Number.isInteger(input.expMonth) || input.expMonth < 1 || input.expMonth > 12 ||
    !Number.isInteger(expYear) || expYear < 2000 || expYear > 2100) {
    return fail(errors.cardExpiryInvalid());
  }
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth();
  if (expYear * 12 + (input.expMonth - 1) < current) return fail(errors.cardExpired());
  const cvvLength = test.network === 'Amex' ? 4 : 3;
  if (!new RegExp(`^\\d{${cvvLength}}$`).test(input.cvv)) {
    return fail(errors.cardCvvInvalid(cvvLength));
  }
  return {
    ok: true,
    card: { network: test.network, last4: number.slice(-4), expMonth: input.expMonth, expYear, outcome: test.outcome, otp: test.otp },
  };
}

/** The sandbox test card's network and outcome by number alone (the mock payment's extension takes no expiry). */
export function sandboxTestCard(number: string): { network: string; last4: string; outcome: CardOutcome } | undefined {
  const digits = normalizeCardNumber(number);
  const test = digits === undefined ? undefined : TEST_CARDS.get(digits);
  return test && digits ? { network: test.network, last4: digits.slice(-4), outcome: test.outcome } : undefined;
}
