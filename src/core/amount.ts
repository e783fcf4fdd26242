// Amounts cross the JSON boundary as integers: bigint inside, a safe JSON number outside.
import { Type } from 'typebox';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Whether a minor-unit amount can be answered (see jsonAmount); computed amounts are checked with it before they are stored. */
export function fitsJson(value: bigint): boolean {
  return value <= MAX_SAFE && value >= -MAX_SAFE;
}

/** A minor-unit amount for a response; refuses values a JSON client could not read exactly. */
export function jsonAmount(value: bigint): number {
  if (!fitsJson(value)) throw new Error(`amount ${value} is beyond the JSON safe-integer range`);
  return Number(value);
}

/** A positive minor-unit amount in a request body. */
export const PositiveAmount = (options: { description?: string; examples?: number[] } = {}) =>
  Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, ...options });

/** `{currency, amount}` as the contract's `Money`. */
export const Money = Type.Object({
  amount: Type.Integer({ examples: [1000] }),
  currency: Type.String({ examples: ['USD'] }),
});

export const money = (currency: string, amount: bigint) => ({ currency, amount: jsonAmount(amount) });
