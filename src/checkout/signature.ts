// The checkout's payment-response signature (notes-payins §7.4): what the SDK event or callback carries, and what the
// merchant's server recomputes with its secret key before trusting `status`.
import { createHmac, timingSafeEqual } from 'node:crypto';

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** Lowercase hex HMAC-SHA256 of `order_id|payment_id|status`, keyed with the merchant's full secret-key string. */
export function paymentSignature(secretKey: string, orderId: string, paymentId: string, status: string): string {
  return createHmac('sha256', secretKey).update(`${orderId}|${paymentId}|${status}`, 'utf8').digest('hex');
}

/**
 * Whether `signature` is the payment signature of these values, compared in constant time. Hex case is ignored,
 * as the reference verifier does; anything that is not 64 hex digits is refused before comparing.
 */
export function verifyPaymentSignature(
  secretKey: string,
  orderId: string,
  paymentId: string,
  status: string,
  signature: string,
): boolean {
  if (!SHA256_HEX.test(signature)) return false;
  const expected = Buffer.from(paymentSignature(secretKey, orderId, paymentId, status), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
