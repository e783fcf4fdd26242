// The pending card authentication (3DS/OTP) of a server-to-server payment: what the OTP page needs until the customer
// answers or the step expires. Never the card's number or CVV: only the sandbox test card's outcome class.
import { sql } from 'drizzle-orm';
import { check, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { payments } from './payments.js';
import { envCheck, tenantColumns } from './tenant.js';

export const PAYMENT_AUTHENTICATION_STATUSES = ['pending', 'completed', 'expired'] as const;
export type PaymentAuthenticationStatus = (typeof PAYMENT_AUTHENTICATION_STATUSES)[number];

export const paymentAuthentications = pgTable('payment_authentications', {
  /** The `in_progress` payment this step authenticates (one step per payment). */
  paymentId: text('payment_id').primaryKey().references(() => payments.id),
  ...tenantColumns(),
  /** SHA-256 (hex) of the random token in the page's URL: the URL is the customer's only credential. */
  tokenHash: text('token_hash').notNull(),
  /** The merchant's https URL the customer is sent back to (303) with `payment_id`, `status` and `signature`. */
  callbackUrl: text('callback_url').notNull(),
  /** What the sandbox test card does once the OTP is right: `success` or `failure`. */
  cardOutcome: text('card_outcome').$type<'success' | 'failure'>().notNull(),
  status: text('status').$type<PaymentAuthenticationStatus>().notNull(),
  /** After this (the tenant's clock) the step is over and the payment fails (the expiry job). */
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  envCheck('payment_authentications', t.env),
  check('payment_authentications_status_ck', sql`${t.status} in ('pending', 'completed', 'expired')`),
  check('payment_authentications_outcome_ck', sql`${t.cardOutcome} in ('success', 'failure')`),
]);
