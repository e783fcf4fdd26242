// Which endpoints an event goes to. The queries are the endpoints service's; these are the checks on one row.
import type { WebhookEndpointRow } from '../endpoints/service.js';

/** `entity_type.event_type`, the name endpoints subscribe to. */
export function eventName(event: { entityType: string; eventType: string }): string {
  return `${event.entityType}.${event.eventType}`;
}

/** The row form of findDeliverableEndpoints' rule: enabled_events null (every event), `*`, or the name. */
export function isSubscribed(endpoint: Pick<WebhookEndpointRow, 'enabledEvents'>, name: string): boolean {
  const wanted = endpoint.enabledEvents;
  return wanted === null || wanted.includes('*') || wanted.includes(name);
}

/** Enabled and not deleted: the only endpoints anything is sent to. */
export function isDeliverable(endpoint: Pick<WebhookEndpointRow, 'status' | 'deletedAt'>): boolean {
  return endpoint.status === 'enabled' && endpoint.deletedAt === null;
}
