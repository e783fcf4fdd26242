// Request and response schemas of the events API (an extension: Glomo has no event log or redelivery API).
import { Type, type Static, type TSchema } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { DELIVERY_STATUSES } from '../../db/schema/index.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time', examples: ['2026-09-09T07:00:09Z'] });

export const DeliveryAttempt = Type.Object({
  attempted_at: Timestamp,
  trigger: Type.Enum(['scheduled', 'manual'], { description: '`scheduled` (the retry schedule) or `manual` (a redelivery).' }),
  status_code: Nullable(Type.Integer({ description: 'The HTTP status the endpoint answered; null when none arrived.' })),
  latency_ms: Type.Integer(),
  response_snippet: Nullable(Type.String({ description: 'The first 2 KB of the response body.' })),
  error: Nullable(Type.String({ description: 'Why no answer arrived: refused target, connection error, timeout.' })),
});
export type DeliveryAttempt = Static<typeof DeliveryAttempt>;

export const DeliverySummary = Type.Object({
  id: Type.String({ examples: ['whdel_6819d804aB3xQ9kLmN2pR4sT'] }),
  endpoint_id: Type.String({ examples: ['we_6819d804aB3xQ9kLmN2pR4sT'] }),
  status: Type.Enum([...DELIVERY_STATUSES], {
    description: '`pending` (attempts to come), `succeeded` (a 2xx), `failed` (the schedule ran out), `cancelled` (the endpoint was disabled or deleted first).',
  }),
  attempts: Type.Integer({ description: 'Scheduled attempts so far; manual redeliveries are not counted.' }),
  next_attempt_at: Nullable(Timestamp),
  last_attempt_at: Nullable(Timestamp),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
});
export type DeliverySummary = Static<typeof DeliverySummary>;

export const Delivery = Type.Object({
  ...DeliverySummary.properties,
  attempt_log: Type.Array(DeliveryAttempt, { description: 'Every attempt, oldest first.' }),
});
export type Delivery = Static<typeof Delivery>;

const EventFields = {
  id: Type.String({ examples: ['evt_6819d804aB3xQ9kLmN2pR4sT'] }),
  entity_type: Type.String({ examples: ['customer'] }),
  event_type: Type.String({ examples: ['created'] }),
  entity_id: Nullable(Type.String({ examples: ['cust_6819d7d0lrLvP'] })),
  data: Type.Object({}, { additionalProperties: true, description: 'The entity as it was when the event happened: the `data` of the webhook.' }),
  created_at: Timestamp,
};

export const Event = Type.Object({ ...EventFields, deliveries: Type.Array(Delivery) });
export type Event = Static<typeof Event>;

export const EventListItem = Type.Object({ ...EventFields, deliveries: Type.Array(DeliverySummary) });
export type EventListItem = Static<typeof EventListItem>;

export const EventList = ListOf(EventListItem);

export const ListEventsQuery = Type.Object({
  entity_type: Type.Optional(Type.String({ examples: ['customer'] })),
  event_type: Type.Optional(Type.String({ examples: ['created'] })),
  entity_id: Type.Optional(Type.String({ examples: ['cust_6819d7d0lrLvP'] })),
  ...PaginationQuery,
});
export type ListEventsQuery = Static<typeof ListEventsQuery>;

export const RedeliverBody = Type.Union(
  [
    Type.Object(
      {
        endpoint_id: Type.Optional(Type.String({
          description: 'Only this endpoint (a new delivery if it never had one and is subscribed to the event).',
          examples: ['we_6819d804aB3xQ9kLmN2pR4sT'],
        })),
      },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  { description: 'May be left out: no body (or `{}`) redelivers to every enabled endpoint that has a delivery of the event.' },
);
export type RedeliverBody = Static<typeof RedeliverBody>;

export const Redelivery = Type.Object({
  id: Type.String({ description: 'The event id.', examples: ['evt_6819d804aB3xQ9kLmN2pR4sT'] }),
  deliveries: Type.Array(DeliverySummary, { description: 'The deliveries that get another attempt now.' }),
});
export type Redelivery = Static<typeof Redelivery>;
