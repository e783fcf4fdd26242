// The bank details of a new virtual account at the fictional sandbox bank: formatted as a sender in the currency's
// country would quote them, so that an integrator's own validation accepts them. Where that country uses IBANs (GB,
// IE for EUR, AE) the account number is an IBAN with valid check digits; a US account has an ABA routing number with a
// valid checksum; every account has the bank's BIC, a test BIC (its location code ends in 0, ISO 9362's mark of a
// test and training BIC), so no real bank is ever named. Only the random digits differ between accounts; the unique
// index on the number decides a collision (the caller draws again).
import { ibanCheckDigits } from '../../core/iban.js';
import { randomDigits } from '../../core/ids.js';
import type { VirtualAccountPaymentType } from '../../db/schema/index.js';

export const SANDBOX_BANK_NAME = 'Glomo Sandbox Bank';

/** The currencies a virtual account is opened in: the ones payins settle in. */
export const VIRTUAL_ACCOUNT_CURRENCIES = ['USD', 'EUR', 'GBP', 'AED', 'SGD'] as const;
export type VirtualAccountCurrency = (typeof VIRTUAL_ACCOUNT_CURRENCIES)[number];

export const isVirtualAccountCurrency = (code: string): code is VirtualAccountCurrency =>
  (VIRTUAL_ACCOUNT_CURRENCIES as readonly string[]).includes(code);

export interface AccountDetails {
  accountNumber: string;
  /** ISO 3166-1 alpha-3, as the contract writes countries. */
  bankCountry: string;
  bankName: string;
  bic: string;
  /** What a local sender quotes besides the number (routing number, sort code, bank code); null for swift-only use. */
  localBankCode: string | null;
}

/** The sandbox bank's BIC in a country: `GLMO` + country + `S0`. */
const bicIn = (country: string) => `GLMO${country}S0`;

/** The sandbox bank's fixed domestic codes. */
const UK_SORT_CODE = '040999';
const IE_SORT_CODE = '990999';
const AE_BANK_CODE = '099';
const SG_BANK_CODE = '9999';
/** A routing number with a valid ABA checksum (3·d1 + 7·d2 + d3 + … ≡ 0 mod 10), computed below from its first 8. */
const US_ROUTING_PREFIX = '02199999';

/** The ABA check digit of a routing number's first eight digits. */
export function abaCheckDigit(first8: string): string {
  const weights = [3, 7, 1, 3, 7, 1, 3, 7];
  const sum = [...first8].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0);
  return String((10 - (sum % 10)) % 10);
}

/** Whether nine digits are an ABA routing number (the checksum over all nine is a multiple of 10). */
export function isValidAbaRoutingNumber(value: string): boolean {
  return /^\d{9}$/.test(value) && abaCheckDigit(value.slice(0, 8)) === value[8];
}

const iban = (country: string, bban: string) => `${country}${ibanCheckDigits(country, bban)}${bban}`;

/** Fresh details for an account of `paymentType` in `currency`. */
export function newAccountDetails(currency: VirtualAccountCurrency, paymentType: VirtualAccountPaymentType): AccountDetails {
  const local = paymentType === 'local';
  switch (currency) {
    case 'GBP':
      return { accountNumber: iban('GB', `GLMO${UK_SORT_CODE}${randomDigits(8)}`), bankCountry: 'GBR', bankName: SANDBOX_BANK_NAME, bic: bicIn('GB'), localBankCode: local ? UK_SORT_CODE : null };
    case 'EUR':
      return { accountNumber: iban('IE', `GLMO${IE_SORT_CODE}${randomDigits(8)}`), bankCountry: 'IRL', bankName: SANDBOX_BANK_NAME, bic: bicIn('IE'), localBankCode: local ? IE_SORT_CODE : null };
    case 'AED':
      return { accountNumber: iban('AE', `${AE_BANK_CODE}${randomDigits(16)}`), bankCountry: 'ARE', bankName: SANDBOX_BANK_NAME, bic: bicIn('AE'), localBankCode: local ? AE_BANK_CODE : null };
    case 'USD':
      return {
        accountNumber: randomDigits(12), bankCountry: 'USA', bankName: SANDBOX_BANK_NAME, bic: bicIn('US'),
        localBankCode: local ? `${US_ROUTING_PREFIX}${abaCheckDigit(US_ROUTING_PREFIX)}` : null,
      };
    case 'SGD':
      return { accountNumber: randomDigits(10), bankCountry: 'SGP', bankName: SANDBOX_BANK_NAME, bic: bicIn('SG'), localBankCode: local ? SG_BANK_CODE : null };
  }
}
