// The customer mails' words: subject and plain text of each notice, from the facts of the payment link or
// subscription as the API presents them. Pure functions: what a mail says is tested without sending one. A mail
// carries links, amounts and dates; never a card number, a token or a key.
import { formatMinorUnits } from '../../core/money.js';
import type { SubscriptionNotice } from '../subscriptions/service.js';

/** What a payment link mail needs of the link (its API shape, decision 0037). */
export interface PaymentLinkFacts {
  id: string;
  customer_id: string;
  /** The hosted page; absent while the link cannot be paid (then no mail goes out). */
  payment_link?: string | null | undefined;
  amount: number;
  amount_paid?: number | undefined;
  currency: string;
  expires_at: string;
  invoice_number?: string | undefined;
}

/** What a subscription mail needs of the subscription (its API shape). */
export interface SubscriptionFacts {
  id: string;
  customer_id: string;
  product_name: string;
  plan_name?: string | undefined;
  amount: number;
  currency: string;
  interval_type: string;
  interval_count?: number | undefined;
  max_amount?: number | undefined;
  expires_at: string;
  next_payment_date: string | null;
  subscription_link_url: string;
}

/** A subscription's change a customer is told of (only with `notify_customer: true`): subscriptions' own type. */
export type { SubscriptionNotice };

export interface Parties {
  /** The merchant the customer deals with. */
  merchant: string;
  /** The customer's name, for the greeting. */
  customer: string;
}

export interface MailWords {
  subject: string;
  text: string;
}

/** One line of a header: a name with a line break in it must not start a header of its own. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const money = (amount: bigint | number, currency: string) => formatMinorUnits(BigInt(amount), currency);
/** `2026-06-08T12:00:00Z` as `8 June 2026, 12:00 UTC`. */
function when(iso: string | Date): string {
  const at = typeof iso === 'string' ? new Date(iso) : iso;
  const day = at.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const time = at.toISOString().slice(11, 16);
  return `${day}, ${time} UTC`;
}
/** `2026-06-08` as `8 June 2026`. */
const onDay = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

const letter = (parties: Parties, paragraphs: string[]) =>
  [`Hello ${oneLine(parties.customer)},`, ...paragraphs, `${oneLine(parties.merchant)}, through Glomo`].join('\n\n') + '\n';

/** The link itself (on creation) or a reminder of it; undefined when the link has no payable page. */
export function paymentLinkWords(link: PaymentLinkFacts, parties: Parties, reminder: boolean): MailWords | undefined {
  if (!link.payment_link) return undefined;
  const merchant = oneLine(parties.merchant);
  const paid = BigInt(link.amount_paid ?? 0);
  const due = money(BigInt(link.amount) - paid, link.currency);
  const invoice = link.invoice_number ? ` for invoice ${oneLine(link.invoice_number)}` : '';
  const subject = reminder ? `Reminder: ${merchant} is waiting for your payment of ${due}` : `${merchant} asks you to pay ${due}`;
  const ask = reminder
    ? `This is a reminder that ${merchant} is waiting for your payment of ${due}${invoice}.`
    : `${merchant} asks you to pay ${due}${invoice}.`;
  const partly = paid > 0n ? [`You have paid ${money(paid, link.currency)} of ${money(link.amount, link.currency)} so far.`] : [];
  return {
    subject,
    text: letter(parties, [ask, ...partly, `Pay securely here:\n${link.payment_link}`, `The link can be paid until ${when(link.expires_at)}.`]),
  };
}

function cadence(sub: SubscriptionFacts, merchant: string): string {
  if (sub.interval_type === 'as_presented') {
    return `charges ${merchant} makes as they fall due, each at most ${money(sub.max_amount ?? sub.amount, sub.currency)}`;
  }
  const unit = sub.interval_type === 'year' ? 'year' : 'month';
  const count = sub.interval_count ?? 1;
  return `${money(sub.amount, sub.currency)} every ${count === 1 ? unit : `${count} ${unit}s`}`;
}

const nextPayment = (sub: SubscriptionFacts) =>
  sub.next_payment_date ? `The next payment of ${money(sub.amount, sub.currency)} is due on ${onDay(sub.next_payment_date)}.` : undefined;

/** The words of one subscription notice. */
export function subscriptionWords(sub: SubscriptionFacts, notice: SubscriptionNotice, parties: Parties): MailWords {
  const merchant = oneLine(parties.merchant);
  const product = oneLine(sub.plan_name ? `${sub.product_name} (${sub.plan_name})` : sub.product_name);
  const page = `Your subscription: ${sub.subscription_link_url}`;
  const paragraphs = (...lines: (string | undefined)[]) => letter(parties, lines.filter((line): line is string => line !== undefined));
  switch (notice.kind) {
    case 'created':
      return {
        subject: `Start your subscription to ${product}`,
        text: paragraphs(
          `${merchant} has set up a subscription to ${product} for you: ${cadence(sub, merchant)}.`,
          `Start it here:\n${sub.subscription_link_url}`,
          `The link can be used until the end of ${onDay(sub.expires_at)} (UTC).`,
        ),
      };
    case 'authorized':
      return {
        subject: `Your subscription to ${product} is set up`,
        text: paragraphs(`Your card is saved for your subscription to ${product}: ${cadence(sub, merchant)}.`, nextPayment(sub), page),
      };
    case 'charged':
      return {
        subject: `Payment received: ${money(notice.amount, sub.currency)} for ${product}`,
        text: paragraphs(
          `We charged ${money(notice.amount, sub.currency)} to your saved card for your subscription to ${product}.`,
          nextPayment(sub) ?? (sub.interval_type === 'as_presented' ? undefined : 'That was the last payment of this subscription.'),
          page,
        ),
      };
    case 'payment_failed':
      return {
        subject: `Payment failed for ${product}`,
        text: paragraphs(
          `We could not charge ${money(notice.amount, sub.currency)} to your saved card for your subscription to ${product}.`,
          `We will try again on ${when(notice.retryAt)}. Please make sure your card can be charged.`,
          page,
        ),
      };
    case 'halted':
      return {
        subject: `Your subscription to ${product} is on hold`,
        text: paragraphs(
          `We could not charge your saved card for your subscription to ${product}, after several attempts.`,
          `No further payments will be taken until ${merchant} resumes it; please contact ${merchant}.`,
          page,
        ),
      };
    case 'cancelled':
      return {
        subject: `Your subscription to ${product} is cancelled`,
        text: paragraphs(`Your subscription to ${product} is cancelled. No further payments will be taken.`, page),
      };
  }
}
