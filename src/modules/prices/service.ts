// Prices (referral fees): create, retrieve and list per merchant environment; the first price is the default.
import { and, eq } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { prices } from '../../db/schema/index.js';
import { jsonAmount } from '../../core/amount.js';
import type { TenantContext } from '../../core/context.js';
import { isoSeconds } from '../../core/clock.js';
import { isUniqueViolation } from '../../core/db-errors.js';
import { errors } from '../../core/errors.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { normalizeCurrency } from '../../core/iso.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import type { CreatePriceBody, ListPricesQuery, Price } from './schemas.js';

// A price's fee on an amount, for the payments that charge it.
export { priceFee, type PriceTerms } from './fees.js';

export interface PriceDeps {
  db: Db;
}

export type PriceRow = typeof prices.$inferSelect;

export function presentPrice(row: PriceRow): Price {
  return withoutNulls({
    id: row.id,
    pricing_type: row.pricingType,
    fees_amount: row.feesAmount === null ? null : jsonAmount(row.feesAmount),
    fees_currency: row.feesCurrency,
    bps: row.bps,
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  });
}

function priceTerms(body: CreatePriceBody): Pick<PriceRow, 'pricingType' | 'feesAmount' | 'feesCurrency' | 'bps'> {
  if (body.pricing_type === 'percentage') {
    if (body.bps === undefined) throw errors.blank('bps');
    return { pricingType: 'percentage', feesAmount: null, feesCurrency: null, bps: body.bps };
  }
  if (body.fees_amount === undefined) throw errors.blank('fees_amount');
  if (body.fees_currency === undefined) throw errors.blank('fees_currency');
  // The schema's iso-4217 format already accepted the code, so it normalises.
  const currency = normalizeCurrency(body.fees_currency);
  if (!currency) throw errors.validation('Fees currency must be a valid ISO 4217 currency code (e.g., USD)');
  return { pricingType: 'fixed', feesAmount: BigInt(body.fees_amount), feesCurrency: currency, bps: null };
}

/**
 * The first price of a tenant becomes its default. Two first creations can race past the check; the partial unique
 * index `prices_tenant_default_uq` lets one win, and the other is stored as an ordinary price. No transaction wraps
 * the two statements: the failed insert must not abort the retry.
 */
export async function createPrice(deps: PriceDeps, ctx: TenantContext, body: CreatePriceBody): Promise<Price> {
  const { tenant, clock } = ctx;
  const now = clock.now();
  const terms = priceTerms(body);
  const insert = (isDefault: boolean) =>
    insertWithFreshId(deps.db, prices, () => newId(ID_PREFIXES.price, now), {
      ...tenant, ...terms, isDefault, createdAt: now, updatedAt: now,
    });
  const first = (await defaultPrice(deps.db, tenant)) === undefined;
  let row: PriceRow;
  try {
    row = await insert(first);
  } catch (error) {
    if (!first || !isUniqueViolation(error, 'prices_tenant_default_uq')) throw error;
    row = await insert(false);
  }
  return presentPrice(row);
}

/** The tenant's price `id`, or undefined (also for an id that is not a price id): for orders and payments. */
export async function findPrice(db: DbOrTx, tenant: Tenant, id: string): Promise<PriceRow | undefined> {
  if (!id.startsWith(`${ID_PREFIXES.price}_`)) return undefined;
  const [row] = await db.select().from(prices).where(and(tenantFilter(prices, tenant), eq(prices.id, id)));
  return row;
}

/** The tenant's default price (its first), or undefined when it has none yet. */
export async function defaultPrice(db: DbOrTx, tenant: Tenant): Promise<PriceRow | undefined> {
  const [row] = await db.select().from(prices).where(and(tenantFilter(prices, tenant), eq(prices.isDefault, true)));
  return row;
}

export async function getPrice(deps: PriceDeps, tenant: Tenant, id: string): Promise<Price> {
  assertIdPrefix(ID_PREFIXES.price, id);
  const row = await findPrice(deps.db, tenant, id);
  if (!row) throw errors.notFound('Price');
  return presentPrice(row);
}

export async function listPrices(deps: PriceDeps, tenant: Tenant, query: ListPricesQuery): Promise<{ data: Price[]; page_meta: PageMeta }> {
  const page = await listPage(deps.db, prices, [tenantFilter(prices, tenant)], pageRequest(query));
  return { data: page.rows.map(presentPrice), page_meta: page.meta };
}

/** The price operations the routes call, built once by the composition root; each runs on the caller's context. */
export function createPriceService(deps: PriceDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreatePriceBody) => createPrice(deps, ctx, body),
    list: (ctx: TenantContext, query: ListPricesQuery) => listPrices(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getPrice(deps, ctx.tenant, id),
  });
}

export type PriceService = ReturnType<typeof createPriceService>;
