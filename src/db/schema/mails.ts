// The customer mails of a merchant environment (issue 17): each one queued in the transaction of the change that
// causes it, then sent through SMTP by the `mail.send` job, or only logged when no SMTP_URL is set.
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const MAIL_STATUSES = ['queued', 'sent', 'logged', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

export const mails = pgTable('mails', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  toAddress: text('to_address').notNull(),
  fromAddress: text('from_address').notNull(),
  subject: text('subject').notNull(),
  /** The plain-text body: links, amounts and dates, never a card number or a secret. */
  text: text('text').notNull(),
  /** What it is about: `payment_link.created`, `payment_link.reminder`, `subscription.<notice>`. */
  kind: text('kind').notNull(),
  /** The payment link or subscription it is about. */
  relatedId: text('related_id').notNull(),
  status: text('status').$type<MailStatus>().notNull(),
  /** The last SMTP error (kept while retrying, and on `failed`). */
  error: text('error'),
  /** Attempts made by the send job (a logged mail counts its one). */
  attempts: integer('attempts').notNull().default(0),
  createdAt: createdAt(),
  /** When SMTP accepted it, or when it was logged without SMTP; null while queued and when it failed. */
  sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
}, (t) => [
  index('mails_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('mails_tenant_related_idx').on(t.merchantId, t.env, t.relatedId, t.createdAt.desc(), t.id.desc()),
  check('mails_status_ck', sql`${t.status} in ('queued', 'sent', 'logged', 'failed')`),
  envCheck('mails', t.env),
]);
