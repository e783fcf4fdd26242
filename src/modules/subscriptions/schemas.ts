import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { RENEWAL_OUTCOMES, SUBSCRIPTION_INTERVAL_TYPES, SUBSCRIPTION_STATUSES } from '../../db/schema/subscriptions.js';
import { Notes } from '../orders/schemas.js';

export const SubscriptionStatus = Type.Enum([...SUBSCRIPTION_STATUSES], {
  description: 'created (awaiting the first instalment), authorized (card saved, first charge on start_date), active, paused, ' +
    'halted (renewals failed; resumable), completed, cancelled, expired (the link was never paid). failed, action_required ' +
    'and under_review are in the catalogue but no flow of this server produces them.',
});

const CalendarDate = (description: string, example: string) => Type.String({ description, examples: [example] });

/** The contract's `CreateSubscriptionRequest`, with the newer `as_presented` kind (`max_amount`, no cycles). */
export const CreateSubscriptionBody = Type.Object({
  customer_id: Type.String({ description: 'The customer (cust_…) who subscribes.', examples: ['cust_5JU9yv0lGSUP'] }),
  product_name: Type.String({ maxLength: 128, examples: ['ShieldGuard Insurance'] }),
  product_description: Type.String({ maxLength: 512, examples: ['Flexible, monthly insurance for belongings, travel, and digital assets'] }),
  plan_name: Type.Optional(Type.String({ maxLength: 128, examples: ['ShieldGuard Lite'] })),
  plan_description: Type.Optional(Type.String({ maxLength: 512, examples: ['Simple, monthly insurance plan'] })),
  amount: Type.Integer({ description: 'Minor units: each instalment (for as_presented, the first charge, at most max_amount).', examples: [1000] }),
  currency: Type.String({ description: 'USD, EUR, GBP, AED or SGD.', examples: ['USD'] }),
  interval_type: Type.String({ description: 'month, year or as_presented (charged by the merchant with POST /payment).', examples: ['month'] }),
  interval_count: Type.Optional(Type.Integer({
    description: 'month: 1 (monthly), 3 (quarterly) or 6 (half-yearly); year: 1. Not sent for as_presented.', examples: [1],
  })),
  billing_cycles: Type.Optional(Type.Integer({
    description: 'At least 2, at most a 10-year lifetime: 120 monthly, 40 quarterly, 20 half-yearly, 10 yearly. Not sent for as_presented.',
    examples: [12],
  })),
  max_amount: Type.Optional(Type.Integer({ description: 'as_presented only (and required there): the cap of one charge, minor units.', examples: [3000] })),
  start_date: Type.Optional(CalendarDate('YYYY-MM-DD (UTC), today or later; required for month and year, today when omitted for as_presented.', '2025-01-01')),
  expires_at: CalendarDate('YYYY-MM-DD (UTC): the last day the subscription link can be paid; on or after start_date, at most 6 months after it.', '2025-01-07'),
  notify_customer: Type.Boolean({
    description: 'Whether the customer is e-mailed about lifecycle changes: the link, the card saved, each charge, a declined ' +
      'renewal, a halt and a cancellation (through SMTP_URL, or kept in GET /mails without it; decision 0041).',
  }),
  starts_with_first_payment: Type.Boolean({
    description: 'true: the first instalment is charged when the customer pays the link and the schedule starts that day. ' +
      'false: with a future start_date, the card is only saved (authorized) and charged on start_date.',
  }),
  reference_number: Type.Optional(Type.String({ maxLength: 255, examples: ['R0001'] })),
  notes: Type.Optional(Notes),
});
export type CreateSubscriptionBody = Static<typeof CreateSubscriptionBody>;

export const Subscription = Type.Object({
  id: Type.String({ examples: ['sub_5JU9yv0lGSUP'] }),
  customer_id: Type.String(),
  product_name: Type.String(),
  product_description: Type.String(),
  plan_name: Type.Optional(Type.String()),
  plan_description: Type.Optional(Type.String()),
  reference_number: Type.Optional(Type.String()),
  status: SubscriptionStatus,
  amount: Type.Integer(),
  currency: Type.String(),
  interval_type: Type.Enum([...SUBSCRIPTION_INTERVAL_TYPES]),
  interval_count: Type.Optional(Type.Integer({ description: 'Absent for as_presented.' })),
  billing_cycles: Type.Optional(Type.Integer({ description: 'Absent for as_presented.' })),
  max_amount: Type.Optional(Type.Integer({ description: 'as_presented only.' })),
  start_date: Type.String({ format: 'date' }),
  end_date: Type.Optional(Type.String({ format: 'date', description: 'The last cycle\'s date; absent for as_presented.' })),
  expires_at: Type.String({ format: 'date' }),
  next_payment_date: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
    description: 'The date the next renewal is charged (06:30 IST, 01:00 UTC); null when none is scheduled (paused, halted, ended, as_presented).',
  }),
  subscription_link_url: Type.String({ format: 'uri', description: 'The hosted page where the customer pays the first instalment.' }),
  cancelled_at: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  notes: Type.Optional(Notes),
});
export type Subscription = Static<typeof Subscription>;

export const ListSubscriptionsQuery = Type.Object({
  status: Type.Optional(SubscriptionStatus),
  customer_id: Type.Optional(Type.String({ description: 'Subscriptions of this customer.' })),
  start_date: Type.Optional(Type.String({ description: 'Subscriptions starting on this date (YYYY-MM-DD).' })),
  end_date: Type.Optional(Type.String({ description: 'Subscriptions ending on this date (YYYY-MM-DD).' })),
  ...PaginationQuery,
});
export type ListSubscriptionsQuery = Static<typeof ListSubscriptionsQuery>;

export const SubscriptionList = ListOf(Subscription);

export const UpdateNextPaymentDateBody = Type.Object({
  next_payment_date: CalendarDate('YYYY-MM-DD (UTC): at least 2 days after today, within 28 days.', '2025-11-10'),
}, { additionalProperties: false });
export type UpdateNextPaymentDateBody = Static<typeof UpdateNextPaymentDateBody>;

export const MockRenewalOutcomeBody = Type.Object({
  outcome: Type.Enum([...RENEWAL_OUTCOMES], { description: 'How this subscription\'s next renewal attempts end.' }),
}, { additionalProperties: false });
export type MockRenewalOutcomeBody = Static<typeof MockRenewalOutcomeBody>;
