// Payout rails (notes-payouts §13.9): which rails can reach a beneficiary's account, the rail a payout goes on, and
// the per-rail amount limits. `swift` reaches any currency; each local rail only its own. See decisions/0014.
import { bicCountry, isValidIfsc, isValidSortCode, isValidUkAccountNumber, isValidUpiId } from '../../core/bank-identifiers.js';
import { ibanCountry, isValidIban } from '../../core/iban.js';
import { ALPHA2_BY_ALPHA3 } from '../../core/iso-data.js';

/** The spec's `payment_rail` enum, in its order. */
export const PAYMENT_RAILS = ['swift', 'imps', 'neft', 'rtgs', 'upi', 'ipp', 'fts', 'sepa', 'fps'] as const;
export type PaymentRail = (typeof PAYMENT_RAILS)[number];
export type LocalRail = Exclude<PaymentRail, 'swift'>;

export const SWIFT_RAIL = 'swift' satisfies PaymentRail;

export function isPaymentRail(value: string): value is PaymentRail {
  return (PAYMENT_RAILS as readonly string[]).includes(value);
}

/** A beneficiary's payout destination, as the beneficiary module holds it (v2 `bank_account` or `upi_account`). */
export interface RailTarget {
  /** The account's currency (ISO 4217); a UPI account is INR. */
  currency: string;
  /** `bank_account.account_number`: a domestic number or an IBAN. */
  accountNumber?: string;
  /** `bank_account.swift_code` (BIC). */
  swiftCode?: string;
  /** `bank_account.local_routing_number`: IFSC (India), sort code (UK), ABA (US), BSB (AU). */
  localRoutingNumber?: string;
  /** `upi_account.upi_id`. */
  upiId?: string;
  /** ISO 3166-1 alpha-3 country of the bank's address, when known: a BIC must be of the same country. */
  bankCountry?: string;
}

// What each local rail serves and what the beneficiary must hold (notes §13.9), in the order quotes list them.
const LOCAL_RAIL_RULES: readonly { rail: LocalRail; currency: string; reaches: (target: RailTarget) => boolean }[] = [
  { rail: 'upi', currency: 'INR', reaches: (t) => present(t.upiId) && isValidUpiId(t.upiId) },
  { rail: 'imps', currency: 'INR', reaches: (t) => hasIndianAccount(t) },
  { rail: 'neft', currency: 'INR', reaches: (t) => hasIndianAccount(t) },
  { rail: 'rtgs', currency: 'INR', reaches: (t) => hasIndianAccount(t) },
  { rail: 'ipp', currency: 'AED', reaches: (t) => accountIbanCountry(t) === 'AE' },
  { rail: 'fts', currency: 'AED', reaches: (t) => accountIbanCountry(t) === 'AE' },
  { rail: 'sepa', currency: 'EUR', reaches: (t) => accountIbanCountry(t) !== undefined },
  // A GB IBAN alone does not qualify: FPS needs the domestic account number and the sort code.
  {
    rail: 'fps',
    currency: 'GBP',
    reaches: (t) => present(t.accountNumber) && isValidUkAccountNumber(t.accountNumber)
      && present(t.localRoutingNumber) && isValidSortCode(t.localRoutingNumber),
  },
];

/** Local rails per destination currency, derived from the rail rules (quotes price one quote per rail, in this order). */
export const LOCAL_RAILS: Readonly<Record<string, readonly LocalRail[]>> = Object.freeze(
  LOCAL_RAIL_RULES.reduce<Record<string, LocalRail[]>>((byCurrency, { rail, currency }) => {
    (byCurrency[currency] ??= []).push(rail);
    return byCurrency;
  }, {}),
);

/** The rails that can reach the target, in `PAYMENT_RAILS` order. */
export function eligibleRails(target: RailTarget): PaymentRail[] {
  const currency = target.currency.trim().toUpperCase();
  const local = new Set<PaymentRail>(LOCAL_RAIL_RULES.filter((rule) => rule.currency === currency && rule.reaches(target)).map((rule) => rule.rail));
  if (reachesBySwift(target, currency)) local.add(SWIFT_RAIL);
  return PAYMENT_RAILS.filter((rail) => local.has(rail));
}

// SWIFT needs "account number + swift_code; BIC country must match bank address country", or an AED/EUR IBAN, from
// which the bank (and its BIC) is resolved (notes §13.9, §15.1).
function reachesBySwift(target: RailTarget, currency: string): boolean {
  if (present(target.swiftCode) && present(target.accountNumber)) {
    const country = bicCountry(target.swiftCode);
    if (country !== undefined && sameCountry(country, target.bankCountry)) return true;
  }
  const country = accountIbanCountry(target);
  if (country === undefined || !(currency === 'EUR' || (currency === 'AED' && country === 'AE'))) return false;
  return sameCountry(country, target.bankCountry);
}

export type RailRefusal = 'no_rails_available' | 'rail_not_eligible' | 'unknown_rail';
export type RailChoice = { ok: true; rail: PaymentRail } | { ok: false; error: RailRefusal };

/**
 * The rail a payout to the target goes on. Omitted: `swift` (never auto-selected otherwise), refused with
 * `no_rails_available` when the target has no SWIFT details. Requested: it must be in the enum and eligible.
 */
export function chooseRail(target: RailTarget, requested?: string): RailChoice {
  const eligible = eligibleRails(target);
  if (requested === undefined) return eligible.includes(SWIFT_RAIL) ? { ok: true, rail: SWIFT_RAIL } : { ok: false, error: 'no_rails_available' };
  if (!isPaymentRail(requested)) return { ok: false, error: 'unknown_rail' };
  return eligible.includes(requested) ? { ok: true, rail: requested } : { ok: false, error: 'rail_not_eligible' };
}

/** The API text of a refusal. Only `no_rails_available` is Glomo's (notes §13.2); the other two are ours. */
export function railRefusalMessage(error: RailRefusal, requested?: string): string {
  switch (error) {
    case 'no_rails_available':
      return 'No rails available for this beneficiary';
    case 'rail_not_eligible':
      return `Payment rail ${requested ?? SWIFT_RAIL} is not available for this beneficiary`;
    case 'unknown_rail':
      return `Payment rail must be one of: ${PAYMENT_RAILS.join(', ')}`;
  }
}

/** A rail's largest payout in one destination currency, in minor units, inclusive ("up to"). */
export interface RailLimit {
  rail: PaymentRail;
  currency: string;
  max: bigint;
}

/**
 * Known per-rail limits. Glomo's `/payout/rails` page was not captured: only IPP's AED 50,000 is known (notes
 * §13.9). A rail and currency without a row has no limit here.
 */
export const RAIL_LIMITS: readonly RailLimit[] = [
  { rail: 'ipp', currency: 'AED', max: 5_000_000n },
];

export function railLimit(rail: PaymentRail, destinationCurrency: string): RailLimit | undefined {
  const currency = destinationCurrency.trim().toUpperCase();
  return RAIL_LIMITS.find((limit) => limit.rail === rail && limit.currency === currency);
}

export type RailAmountCheck = { ok: true } | { ok: false; error: 'above_rail_limit'; limit: RailLimit };

/** Whether the rail carries the destination amount (minor units; that it is at least 1 is the request schema's job). */
export function checkRailAmount(rail: PaymentRail, destinationCurrency: string, destinationAmount: bigint): RailAmountCheck {
  const limit = railLimit(rail, destinationCurrency);
  return limit === undefined || destinationAmount <= limit.max ? { ok: true } : { ok: false, error: 'above_rail_limit', limit };
}

/** Currencies a payout may be funded from and sent in (notes-payouts §13, `CreatePayoutWithoutQuoteRequest`). */
export const PAYOUT_SOURCE_CURRENCIES = ['USD', 'EUR', 'GBP', 'AED', 'SGD', 'AUD'] as const;
export const PAYOUT_DESTINATION_CURRENCIES = [...PAYOUT_SOURCE_CURRENCIES, 'INR'] as const;

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

function hasIndianAccount(target: RailTarget): boolean {
  return present(target.accountNumber) && present(target.localRoutingNumber) && isValidIfsc(target.localRoutingNumber);
}

function accountIbanCountry(target: RailTarget): string | undefined {
  return present(target.accountNumber) && isValidIban(target.accountNumber) ? ibanCountry(target.accountNumber) : undefined;
}

// No bank country: nothing to compare. An unknown alpha-3 cannot be shown to match, so it does not.
function sameCountry(alpha2: string, bankCountryAlpha3: string | undefined): boolean {
  if (bankCountryAlpha3 === undefined) return true;
  return ALPHA2_BY_ALPHA3.get(bankCountryAlpha3.trim().toUpperCase()) === alpha2;
}
