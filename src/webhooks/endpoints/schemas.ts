// Request and response schemas of the webhook endpoint API (an extension: Glomo configures endpoints in its dashboard).
import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';

export const URL_MAX_LENGTH = 2048;
export const DESCRIPTION_MAX_LENGTH = 500;
export const MAX_ENABLED_EVENTS = 100;

const Url = Type.String({
  minLength: 1,
  maxLength: URL_MAX_LENGTH,
  description:
    'Where events are POSTed. Production endpoints must be https and resolve to public addresses (unless the server sets ' +
    'WEBHOOK_ALLOW_PRIVATE_TARGETS); sandbox endpoints may target http, localhost and private networks.',
  examples: ['https://example.com/glomo/webhooks'],
});

// Count, uniqueness and names are checked by the service, which answers a message naming the offending event.
const EnabledEvents = Type.Array(Type.String({ maxLength: 100 }), {
  description:
    `1-${MAX_ENABLED_EVENTS} distinct \`entity_type.event_type\` names (\`payment.success\`, \`refund.utr.updated\`), or ` +
    '`["*"]` for every event. Absent (or null on update) means every event.',
  examples: [['payment.success', 'refund.failed']],
});

const Description = Type.String({ maxLength: DESCRIPTION_MAX_LENGTH, examples: ['Order fulfilment service'] });

export const EndpointStatus = Type.Enum(['enabled', 'disabled'], { description: 'Disabled endpoints receive nothing.' });

export const CreateWebhookEndpointBody = Type.Object(
  {
    url: Url,
    enabled_events: Type.Optional(EnabledEvents),
    description: Type.Optional(Description),
  },
  { additionalProperties: false },
);
export type CreateWebhookEndpointBody = Static<typeof CreateWebhookEndpointBody>;

export const UpdateWebhookEndpointBody = Type.Object(
  {
    url: Type.Optional(Url),
    enabled_events: Type.Optional(Type.Union([EnabledEvents, Type.Null()])),
    description: Type.Optional(Type.Union([Description, Type.Null()], { description: 'null (or an empty string) removes it.' })),
    status: Type.Optional(EndpointStatus),
  },
  { additionalProperties: false },
);
export type UpdateWebhookEndpointBody = Static<typeof UpdateWebhookEndpointBody>;

export const WebhookEndpoint = Type.Object({
  id: Type.String({ examples: ['we_6819d804aB3xQ9kLmN2pR4sT'] }),
  url: Type.String(),
  enabled_events: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'null: every event.' }),
  description: Type.Optional(Type.String()),
  status: EndpointStatus,
  secret_hint: Type.String({ description: 'The last 4 characters of the signing secret.', examples: ['pR4s'] }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

/** Answered only by create and rotate_secret: the secret is shown once. */
export const WebhookEndpointWithSecret = Type.Object({
  ...WebhookEndpoint.properties,
  secret: Type.String({
    description: 'The HMAC-SHA256 key of X-Glomopay-Signature. Shown only here: store it now.',
    examples: ['whsec_4fH2kQ9xLmN0pR7sT1vW3yZ5aB8cD6eG'],
  }),
});
export type WebhookEndpointWithSecret = Static<typeof WebhookEndpointWithSecret>;

export const DeletedWebhookEndpoint = Type.Object({
  id: Type.String({ examples: ['we_6819d804aB3xQ9kLmN2pR4sT'] }),
  deleted: Type.Literal(true),
});
export type DeletedWebhookEndpoint = Static<typeof DeletedWebhookEndpoint>;

export const ListWebhookEndpointsQuery = Type.Object({ ...PaginationQuery });
export type ListWebhookEndpointsQuery = Static<typeof ListWebhookEndpointsQuery>;

export const WebhookEndpointList = ListOf(WebhookEndpoint);
