// Request and response shapes of the mail log routes (an extension: Glomo sends its customer mails itself).
import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { MAIL_STATUSES } from '../../db/schema/mails.js';

/** What a mail is about: a payment link's creation or reminder, or a subscription's lifecycle notice. */
export const MAIL_KINDS = [
  'payment_link.created',
  'payment_link.reminder',
  'subscription.created',
  'subscription.authorized',
  'subscription.charged',
  'subscription.payment_failed',
  'subscription.halted',
  'subscription.cancelled',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

const MailStatus = Type.Enum([...MAIL_STATUSES], {
  description: 'queued (waiting for the send job, also between SMTP retries), sent (the SMTP server accepted it), ' +
    'logged (no SMTP_URL: kept here only, nothing was sent), failed (SMTP refused it on every attempt).',
});
const MailKindSchema = Type.Enum([...MAIL_KINDS], { description: 'What the mail is about.' });

export const Mail = Type.Object({
  id: Type.String({ examples: ['mail_6931a2b4Xy12ZaBcDeFgHiJk'] }),
  to: Type.String({ description: "The customer's e-mail address.", examples: ['buyer@example.com'] }),
  from: Type.String({ description: 'MAIL_FROM when it was queued.', examples: ['Glomo sandbox <no-reply@glomo.localhost>'] }),
  subject: Type.String(),
  text: Type.String({ description: 'The plain-text body.' }),
  kind: MailKindSchema,
  related_id: Type.String({ description: 'The payment link (plink_…) or subscription (sub_…) it is about.', examples: ['plink_678a4c88hpAjf'] }),
  status: MailStatus,
  error: Type.Union([Type.String(), Type.Null()], { description: "The SMTP server's last refusal or the connection error; null when none." }),
  created_at: Type.String({ format: 'date-time' }),
  sent_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the SMTP server accepted it (sent) or it was logged (logged); null while queued and when it failed.',
  }),
});
export type Mail = Static<typeof Mail>;

export const MailList = ListOf(Mail);

export const ListMailsQuery = Type.Object({
  ...PaginationQuery,
  related_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only the mails about this payment link or subscription.' })),
  kind: Type.Optional(MailKindSchema),
  status: Type.Optional(MailStatus),
});
export type ListMailsQuery = Static<typeof ListMailsQuery>;
