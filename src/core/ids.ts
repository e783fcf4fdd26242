// Object ids: prefix + 8 lowercase hex digits of the creation time in Unix seconds + 5 base-62 characters,
// the format of every real Glomo id (`order_6819d804aB3xQ`). All randomness in the server comes from here.
import { randomInt } from 'node:crypto';
import { errors } from './errors.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const ID_PREFIXES = {
  merchant: 'merch',
  apiKey: 'key',
  signingKey: 'sigkey',
  customer: 'cust',
  document: 'doc',
  event: 'evt',
  ledgerAccount: 'lacct',
  journal: 'jrnl',
  hold: 'hold',
  adjustment: 'adj',
  quote: 'quote',
  order: 'order',
  /**
   * Payment links: `plink_`, as Glomo's guides write them (issue 16, decision 0004); links made before that keep the
   * `payin_` ids of the 2025 contract's fixtures (notes-payins §1.5).
   */
  paymentLink: 'plink',
  legacyPaymentLink: 'payin',
  payment: 'payt',
  refund: 'refund',
  rfiDocument: 'rfidoc',
  price: 'price',
  balanceConversion: 'conv',
  beneficiary: 'bene',
  bankAccountValidation: 'aval',
  payout: 'payout',
  rfi: 'rfi',
  withdrawalAccount: 'accwith',
  /** Withdrawals share the payouts' id space, as the contract's example shows (`payout_…`). */
  withdrawal: 'payout',
  webhookEndpoint: 'we',
  webhookDelivery: 'whdel',
  webhookAttempt: 'whatt',
  subscription: 'sub',
  /** The saved card of a subscription: a token standing for the card, never its number. */
  cardToken: 'cardtok',
  /** `account_id` of a virtual account. */
  virtualAccount: 'va',
  /** A bank transfer received on a virtual account (`external_reference` of its payment). */
  inboundTransfer: 'itr',
  settlement: 'setl',
  /** A settlement's line: one per settled payment (`txn_` + the payment id's time and random part). */
  settlementTransaction: 'txn',
  /** Money moved between merchants of one platform hierarchy (`inttransfer_…`, as the contract's example). */
  internalTransfer: 'inttransfer',
  /** A customer mail of the mail log (an extension, issue 17). */
  mail: 'mail',
} as const;

export type IdPrefix = (typeof ID_PREFIXES)[keyof typeof ID_PREFIXES];

/** Uniformly random base-62 string (rejection-free: randomInt is unbiased). */
export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(62)];
  return out;
}

/** Uniformly random decimal digits (account numbers), leading zeros included. */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

/** The 8 lowercase hex digits of a time in Unix seconds that start every id (and publishable key). */
export function hexSeconds(at: Date): string {
  return Math.floor(at.getTime() / 1000).toString(16).padStart(8, '0');
}

/**
 * Prefixes of ids the contract does not shape (events, keys, ledger rows, adjustments): they take 16 random characters,
 * so they never collide in practice. Contract ids have 5 (62^5 per second and prefix) and are inserted with
 * `insertWithFreshId`, which draws again on the rare collision.
 */
const INTERNAL_PREFIXES: ReadonlySet<IdPrefix> = new Set([
  ID_PREFIXES.event,
  ID_PREFIXES.apiKey,
  ID_PREFIXES.signingKey,
  ID_PREFIXES.ledgerAccount,
  ID_PREFIXES.journal,
  ID_PREFIXES.hold,
  ID_PREFIXES.adjustment,
  ID_PREFIXES.webhookEndpoint,
  ID_PREFIXES.webhookDelivery,
  ID_PREFIXES.webhookAttempt,
  ID_PREFIXES.mail,
]);

/** An id for an object created at `createdAt`: pass the same instant that is stored as its created_at. */
export function newId(prefix: IdPrefix, createdAt: Date): string {
  return `${prefix}_${hexSeconds(createdAt)}${randomBase62(INTERNAL_PREFIXES.has(prefix) ? 16 : 5)}`;
}

/** Path ids must carry the resource's prefix: a wrong one answers 400 `Id must start with 'cust_'`. */
export function assertIdPrefix(prefix: IdPrefix, id: string): void {
  if (!id.startsWith(`${prefix}_`)) throw errors.invalidIdPrefix(prefix);
}
