// The account a customer pays an order into by bank transfer when the environment has no virtual account in that
// currency (the checkout shows the virtual account when there is one): every merchant, environment and currency has
// one deterministic account at the fictional "Glomo Sandbox Bank": the same inputs always give the same numbers, and
// the order id is the reference that ties a transfer to its order.
import { createHash } from 'node:crypto';
import { ibanCheckDigits } from '../core/iban.js';
import type { Tenant } from '../core/tenancy.js';

const SANDBOX_BANK_NAME = 'Glomo Sandbox Bank';
const SANDBOX_SWIFT_CODE = 'GLMOXXSB';
/** The IBAN's bank code: four letters, as in a GB IBAN. */
const IBAN_BANK_CODE = 'GLMO';

export interface BankTransferDetails {
  accountName: string;
  bankName: string;
  /** 14 digits: a 6-digit sort code followed by an 8-digit account, as the IBAN carries them. */
  accountNumber: string;
  /** A GB-shaped IBAN (`GBkk GLMO` + the 14 digits) whose check digits are valid (ISO 13616 mod 97). */
  iban: string;
  swiftCode: string;
  /** What the customer must quote so that the transfer is matched to the order. */
  reference: string;
}

export function bankTransferDetails(tenant: Tenant, merchantName: string, currency: string, orderId: string): BankTransferDetails {
  const digest = createHash('sha256').update(`${tenant.merchantId}|${tenant.env}|${currency.toUpperCase()}`).digest();
  const accountNumber = (digest.readBigUInt64BE(0) % 10n ** 14n).toString().padStart(14, '0');
  const bban = `${IBAN_BANK_CODE}${accountNumber}`;
  return {
    accountName: merchantName,
    bankName: SANDBOX_BANK_NAME,
    accountNumber,
    iban: `GB${ibanCheckDigits('GB', bban)}${bban}`,
    swiftCode: SANDBOX_SWIFT_CODE,
    reference: orderId,
  };
}
