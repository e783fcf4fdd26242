// Webhook endpoints per merchant environment: register, list, update, soft-delete and rotate the signing secret,
// and the two look-ups the delivery worker needs (endpoints that want an event, a child's falling back to its
// platform's, and any endpoint by id).
import { and, asc, count, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { merchants, webhookEndpoints, type Environment } from '../../db/schema/index.js';
import type { TenantContext } from '../../core/context.js';
import { isoSeconds } from '../../core/clock.js';
import { errors } from '../../core/errors.js';
import { assertIdPrefix, ID_PREFIXES, newId, randomBase62 } from '../../core/ids.js';
import { listPage, pageRequest, type PageMeta, type PageRequest } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { resolveTarget, type Lookup } from '../url-guard.js';
import {
  MAX_ENABLED_EVENTS,
  type CreateWebhookEndpointBody,
  type DeletedWebhookEndpoint,
  type ListWebhookEndpointsQuery,
  type UpdateWebhookEndpointBody,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from './schemas.js';

export interface WebhookEndpointDeps {
  db: Db;
  /** config.webhookAllowPrivateTargets: production endpoints may then target private addresses and plain http. */
  allowPrivateTargets: boolean;
  /** DNS resolution of endpoint hosts; the system resolver unless a test injects one. */
  lookup?: Lookup;
}

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

/** Endpoints a merchant may have per environment (deleted ones do not count). */
export const MAX_ENDPOINTS_PER_ENVIRONMENT = 16;

const SECRET_PREFIX = 'whsec_';
const SECRET_RANDOM_LENGTH = 32;
const ALL_EVENTS = '*';

const events = (entity: string, names: readonly string[]) => names.map((name) => `${entity}.${name}`);
const PAYOUT_STATUSES = ['pending_approval', 'queued', 'in_progress', 'action_required', 'success', 'failed', 'cancelled'];
const PAYIN_STATUSES = ['active', 'paid', 'expired', 'cancelled', 'failed', 'action_required', 'under_review', 'partially_paid'];

/** Glomo's webhook catalogue as `entity_type.event_type` (notes-payins §1.11, notes-payouts §11.4). */
export const GLOMO_EVENTS: readonly string[] = Object.freeze([
  ...events('orders', PAYIN_STATUSES),
  ...events('payment', [
    'in_progress', 'success', 'failed', 'action_required', 'under_review', 'funds_available', 'compliance_action_required',
    'compliance_under_review', 'compliance_approved', 'compliance_rejected', 'credited_to_beneficiary',
  ]),
  ...events('payment_link', PAYIN_STATUSES),
  ...events('refund', ['success', 'failed', 'action_required', 'utr.updated']),
  ...events('subscription', [
    'active', 'authorized', 'paused', 'halted', 'completed', 'cancelled', 'expired', 'failed', 'action_required',
    'under_review', 'updated', 'payment_method.updated',
  ]),
  ...events('virtual_account', ['active', 'inactive', 'disabled']),
  ...events('balance', ['balance.funded_balance.credited']),
  ...events('payout', PAYOUT_STATUSES),
  ...events('settlement', PAYOUT_STATUSES),
  ...events('beneficiary', ['active', 'rejected']),
  ...events('internal_transfer', ['success']),
  ...events('merchant', ['pending', 'action_required', 'success', 'failed', 'offboarded']),
  ...events('webhook_test', ['test']),
]);

/** Events this server writes that Glomo's catalogue does not have (docs/architecture.md, Outbox). */
export const EXTENSION_EVENTS: readonly string[] = Object.freeze([
  'customer.created',
  'document.uploaded',
  'balance_conversion.success',
  'balance.adjusted',
  'beneficiary.pending',
  'bank_account_validation.success',
  'bank_account_validation.failed',
  'withdrawal.in_progress',
  'withdrawal.success',
  'withdrawal.failed',
]);

/** Every name `enabled_events` accepts (besides "*"): Glomo's catalogue and our extension events. */
export const EVENT_CATALOGUE: readonly string[] = Object.freeze([...GLOMO_EVENTS, ...EXTENSION_EVENTS]);
const KNOWN_EVENTS: ReadonlySet<string> = new Set(EVENT_CATALOGUE);

/** A fresh signing secret: `whsec_` and 32 base-62 characters (about 190 bits). */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBase62(SECRET_RANDOM_LENGTH)}`;
}

/** The endpoint as the API answers it everywhere but create and rotate: the secret only as its last 4 characters. */
export function presentWebhookEndpoint(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    enabled_events: row.enabledEvents ?? null,
    ...(row.description !== null ? { description: row.description } : {}),
    status: row.status,
    secret_hint: row.secret.slice(-4),
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  };
}

function presentWithSecret(row: WebhookEndpointRow): WebhookEndpointWithSecret {
  return { ...presentWebhookEndpoint(row), secret: row.secret };
}

/**
 * Every event is null (absent, or null on update) or ["*"], stored as sent so that it reads back as sent; the delivery
 * side takes both as "all".
 */
function normalizeEnabledEvents(input: string[] | null | undefined): string[] | null {
  if (input === undefined || input === null) return null;
  if (input.length === 0) throw errors.validation('Enabled events must list at least 1 event (omit it for every event)');
  if (input.length > MAX_ENABLED_EVENTS) throw errors.validation(`Enabled events must list at most ${MAX_ENABLED_EVENTS} events`);
  const seen = new Set<string>();
  for (const name of input) {
    if (seen.has(name)) throw errors.validation(`Enabled events lists '${name}' more than once`);
    seen.add(name);
  }
  if (seen.has(ALL_EVENTS)) {
    if (input.length > 1) throw errors.validation(`Enabled events must be ["*"] alone or a list of events without "*"`);
    return [ALL_EVENTS];
  }
  const unknown = input.find((name) => !KNOWN_EVENTS.has(name));
  if (unknown !== undefined) throw errors.validation(`Enabled events contains an unknown event '${unknown}'`);
  return [...input];
}

function normalizeDescription(input: string | null | undefined): string | null {
  const trimmed = input?.trim();
  return trimmed ? trimmed : null;
}

/** The trimmed URL once it passes the target policy of the tenant's environment, resolved host included. */
async function acceptableUrl(deps: WebhookEndpointDeps, env: Environment, input: string): Promise<string> {
  const url = input.trim();
  if (url === '') throw errors.blank('url');
  // resolveTarget runs urlProblem (syntax, scheme, credentials, fragment, https in production) before any DNS.
  const target = await resolveTarget(url, { env, allowPrivateTargets: deps.allowPrivateTargets }, deps.lookup);
  if (!target.ok) throw errors.validation(target.problem);
  return url;
}

const notFound = () => errors.notFound('Webhook endpoint');

const live = (tenant: Tenant, id: string): SQL =>
  and(tenantFilter(webhookEndpoints, tenant), eq(webhookEndpoints.id, id), isNull(webhookEndpoints.deletedAt)) as SQL;

async function liveEndpoint(db: DbOrTx, tenant: Tenant, id: string): Promise<WebhookEndpointRow> {
  assertIdPrefix(ID_PREFIXES.webhookEndpoint, id);
  const [row] = await db.select().from(webhookEndpoints).where(live(tenant, id));
  if (!row) throw notFound();
  return row;
}

export async function createWebhookEndpoint(
  deps: WebhookEndpointDeps,
  ctx: TenantContext,
  body: CreateWebhookEndpointBody,
): Promise<WebhookEndpointWithSecret> {
  const { tenant, clock } = ctx;
  const enabledEvents = normalizeEnabledEvents(body.enabled_events);
  const description = normalizeDescription(body.description);
  // DNS before the transaction: no database work waits on a resolver.
  const url = await acceptableUrl(deps, tenant.env, body.url);
  return deps.db.transaction(async (tx) => {
    // Concurrent creates of one tenant queue here, so the count below cannot be raced past the limit.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`webhook_endpoints:${tenant.merchantId}:${tenant.env}`}, 0))`);
    const [existing] = await tx
      .select({ total: count() })
      .from(webhookEndpoints)
      .where(and(tenantFilter(webhookEndpoints, tenant), isNull(webhookEndpoints.deletedAt)));
    if ((existing?.total ?? 0) >= MAX_ENDPOINTS_PER_ENVIRONMENT) {
      throw errors.validation(
        `A merchant can have at most ${MAX_ENDPOINTS_PER_ENVIRONMENT} webhook endpoints per environment; delete one first`,
      );
    }
    const now = clock.now();
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({
        id: newId(ID_PREFIXES.webhookEndpoint, now),
        ...tenant,
        url,
        secret: newWebhookSecret(),
        enabledEvents,
        description,
        status: 'enabled',
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return presentWithSecret(row!);
  });
}

export async function getWebhookEndpoint(deps: WebhookEndpointDeps, tenant: Tenant, id: string): Promise<WebhookEndpoint> {
  return presentWebhookEndpoint(await liveEndpoint(deps.db, tenant, id));
}

export async function listWebhookEndpoints(
  deps: WebhookEndpointDeps,
  tenant: Tenant,
  query: ListWebhookEndpointsQuery,
): Promise<{ data: WebhookEndpoint[]; page_meta: PageMeta }> {
  const page = await listPage(deps.db, webhookEndpoints, [tenantFilter(webhookEndpoints, tenant), isNull(webhookEndpoints.deletedAt)], pageRequest(query));
  return { data: page.rows.map(presentWebhookEndpoint), page_meta: page.meta };
}

/** The operator's view: one merchant's endpoints in one environment or both (deleted ones excluded), newest first. */
export async function listMerchantWebhookEndpoints(
  db: DbOrTx,
  merchantId: string,
  env: Environment | undefined,
  request: PageRequest,
): Promise<{ rows: WebhookEndpointRow[]; meta: PageMeta }> {
  const where: SQL[] = [eq(webhookEndpoints.merchantId, merchantId)];
  if (env) where.push(eq(webhookEndpoints.env, env));
  where.push(isNull(webhookEndpoints.deletedAt));
  return listPage(db, webhookEndpoints, where, request);
}

export async function updateWebhookEndpoint(
  deps: WebhookEndpointDeps,
  ctx: TenantContext,
  id: string,
  body: UpdateWebhookEndpointBody,
): Promise<WebhookEndpoint> {
  const { tenant, clock } = ctx;
  // Another tenant's id answers 404 before any of its fields is judged.
  const current = await liveEndpoint(deps.db, tenant, id);
  const changes: Partial<Pick<WebhookEndpointRow, 'url' | 'enabledEvents' | 'description' | 'status'>> = {};
  if (body.enabled_events !== undefined) changes.enabledEvents = normalizeEnabledEvents(body.enabled_events);
  if (body.description !== undefined) changes.description = normalizeDescription(body.description);
  if (body.status !== undefined) changes.status = body.status;
  if (body.url !== undefined) changes.url = await acceptableUrl(deps, tenant.env, body.url);
  if (Object.keys(changes).length === 0) return presentWebhookEndpoint(current);
  const [row] = await deps.db
    .update(webhookEndpoints)
    .set({ ...changes, updatedAt: clock.now() })
    .where(live(tenant, id))
    .returning();
  // Deleted between the read and the update.
  if (!row) throw notFound();
  return presentWebhookEndpoint(row);
}

/** Soft delete: the row stays for the delivery log, but is never listed, shown or delivered to again. */
export async function deleteWebhookEndpoint(deps: WebhookEndpointDeps, ctx: TenantContext, id: string): Promise<DeletedWebhookEndpoint> {
  const { tenant, clock } = ctx;
  assertIdPrefix(ID_PREFIXES.webhookEndpoint, id);
  const now = clock.now();
  const [row] = await deps.db
    .update(webhookEndpoints)
    .set({ deletedAt: now, updatedAt: now })
    .where(live(tenant, id))
    .returning({ id: webhookEndpoints.id });
  if (!row) throw notFound();
  return { id: row.id, deleted: true };
}

/** A new secret, answered once. The old one stops at once: every delivery from now on is signed with the new one. */
export async function rotateWebhookEndpointSecret(
  deps: WebhookEndpointDeps,
  ctx: TenantContext,
  id: string,
): Promise<WebhookEndpointWithSecret> {
  const { tenant, clock } = ctx;
  assertIdPrefix(ID_PREFIXES.webhookEndpoint, id);
  const [row] = await deps.db
    .update(webhookEndpoints)
    .set({ secret: newWebhookSecret(), updatedAt: clock.now() })
    .where(live(tenant, id))
    .returning();
  if (!row) throw notFound();
  return presentWithSecret(row);
}

/**
 * For the delivery worker: the tenant's enabled, non-deleted endpoints that want `eventName`
 * (`entity_type.event_type`): enabled_events null, containing "*", or containing the name. Oldest first.
 * A child merchant without an enabled endpoint of its own in the environment it lives in has its events delivered
 * to its platform's endpoints there instead (notes-payins §1.11, decisions/0033), found by the same one query.
 */
export async function findDeliverableEndpoints(db: DbOrTx, tenant: Tenant, eventName: string): Promise<WebhookEndpointRow[]> {
  const wants = (name: string) => sql`${webhookEndpoints.enabledEvents} @> ${JSON.stringify([name])}::jsonb`;
  // Both subqueries are uncorrelated: each runs once. The owner is null for every merchant but a child (and for a
  // child asked about another environment), so the fallback then matches nothing.
  const platformOfEndpointlessChild = and(
    eq(webhookEndpoints.env, tenant.env),
    sql`${webhookEndpoints.merchantId} = (select child.owner_merchant_id from ${merchants} child where child.id = ${tenant.merchantId} and child.owner_env = ${tenant.env})`,
    sql`not exists (select 1 from ${webhookEndpoints} own where own.merchant_id = ${tenant.merchantId} and own.env = ${tenant.env} and own.status = 'enabled' and own.deleted_at is null)`,
  );
  return db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        or(tenantFilter(webhookEndpoints, tenant), platformOfEndpointlessChild),
        eq(webhookEndpoints.status, 'enabled'),
        isNull(webhookEndpoints.deletedAt),
        or(isNull(webhookEndpoints.enabledEvents), wants(ALL_EVENTS), wants(eventName)),
      ),
    )
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
}

/** For the delivery log: the tenant's endpoint with this id, deleted or disabled ones included; undefined if none. */
export async function findEndpoint(db: DbOrTx, tenant: Tenant, id: string): Promise<WebhookEndpointRow | undefined> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(tenantFilter(webhookEndpoints, tenant), eq(webhookEndpoints.id, id)));
  return row;
}

/** The webhook endpoint operations the routes and the operator API call, built once by the composition root. */
export function createWebhookEndpointService(deps: WebhookEndpointDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreateWebhookEndpointBody) => createWebhookEndpoint(deps, ctx, body),
    list: (ctx: TenantContext, query: ListWebhookEndpointsQuery) => listWebhookEndpoints(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getWebhookEndpoint(deps, ctx.tenant, id),
    update: (ctx: TenantContext, id: string, body: UpdateWebhookEndpointBody) =>
      updateWebhookEndpoint(deps, ctx, id, body),
    delete: (ctx: TenantContext, id: string) => deleteWebhookEndpoint(deps, ctx, id),
    rotateSecret: (ctx: TenantContext, id: string) => rotateWebhookEndpointSecret(deps, ctx, id),
    /** The operator's list of a merchant's endpoints (both environments unless `env`), as rows. */
    listOfMerchant: (merchantId: string, env: Environment | undefined, page: PageRequest) =>
      listMerchantWebhookEndpoints(deps.db, merchantId, env, page),
  });
}

export type WebhookEndpointService = ReturnType<typeof createWebhookEndpointService>;
