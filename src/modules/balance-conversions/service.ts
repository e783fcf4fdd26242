// Balance conversions: move money between two of the merchant's currency balances at the mid-market rate, with
// the FX markup as a fee in the source currency. The conversion row, its journal and its event commit together.
import { and, eq, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { balanceConversions } from '../../db/schema/index.js';
import { money } from '../../core/amount.js';
import type { TenantContext, UnitOfWork } from '../../core/context.js';
import { isoSeconds } from '../../core/clock.js';
import { errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { formatRate, parseRate, rateToNumber } from '../../core/money.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import type { FxRateSource } from '../../fx/rates.js';
import { postJournal } from '../../ledger/index.js';
import { consumeQuote, findQuote, priceFx, quoteError } from '../quotes/service.js';
import type { BalanceConversion, CreateBalanceConversionBody, ListBalanceConversionsQuery } from './schemas.js';

export interface BalanceConversionDeps {
  db: Db;
  fxRates: FxRateSource;
  markupBps: number;
}

type ConversionRow = typeof balanceConversions.$inferSelect;
type ConversionValues = Omit<typeof balanceConversions.$inferInsert, 'id'>;

export function presentConversion(row: ConversionRow): BalanceConversion {
  return withoutNulls({
    id: row.id,
    from: money(row.sourceCurrency, row.sourceAmount),
    to: money(row.targetCurrency, row.targetAmount),
    fees: money(row.sourceCurrency, row.feeAmount),
    mid_market_rate: { currency: row.targetCurrency, rate: rateToNumber(parseRate(row.midRate)) },
    status: row.status,
    created_at: isoSeconds(row.createdAt),
  });
}

const QUOTE_LOCKED_FIELDS = ['source_currency', 'target_currency', 'source_amount', 'target_amount'] as const;

export async function createBalanceConversion(
  deps: BalanceConversionDeps,
  ctx: TenantContext,
  body: CreateBalanceConversionBody,
): Promise<BalanceConversion> {
  const { tenant, clock } = ctx;
  const now = clock.now();
  if (body.quote_id !== undefined) {
    for (const field of QUOTE_LOCKED_FIELDS) {
      if (body[field] !== undefined) throw errors.invalidParameter(`${field} cannot be specified when quote_id is present`);
    }
    const quoteId = body.quote_id;
    return deps.db.transaction(async (tx) => {
      const uow = { tx, ...ctx };
      const quote = await findQuote(tx, tenant, quoteId);
      if (!quote) throw quoteError('not_found', 'balance_conversion');
      const row = await insertConversion(tx, now, {
        ...tenant,
        sourceCurrency: quote.sourceCurrency,
        targetCurrency: quote.destinationCurrency,
        sourceAmount: quote.sourceAmount,
        targetAmount: quote.destinationAmount,
        feeAmount: quote.fxFee,
        midRate: quote.midRate,
        markupBps: quote.markupBps,
        status: 'success',
        quoteId: quote.id,
        createdAt: now,
      });
      const consumed = await consumeQuote(uow, quote.id, 'balance_conversion', row.id);
      if (!consumed.ok) throw quoteError(consumed.reason, 'balance_conversion');
      return settle(uow, row);
    });
  }

  if (body.source_currency === undefined) throw errors.blank('source_currency');
  if (body.target_currency === undefined) throw errors.blank('target_currency');
  if (body.source_amount !== undefined && body.target_amount !== undefined) throw errors.oneAmount('source_amount', 'target_amount');
  if (body.source_amount === undefined && body.target_amount === undefined) throw errors.noAmount('source_amount', 'target_amount');
  const sourceCurrency = body.source_currency.toUpperCase();
  const targetCurrency = body.target_currency.toUpperCase();
  if (sourceCurrency === targetCurrency) throw errors.identicalCurrencies('source_currency', 'target_currency');
  const price = await priceFx(deps.fxRates, deps.markupBps, {
    sourceCurrency,
    destinationCurrency: targetCurrency,
    ...(body.source_amount !== undefined ? { sourceAmount: BigInt(body.source_amount) } : { destinationAmount: BigInt(body.target_amount!) }),
  }, 'balance conversions');

  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const row = await insertConversion(tx, now, {
      ...tenant,
      sourceCurrency,
      targetCurrency,
      sourceAmount: price.sourceAmount,
      targetAmount: price.destinationAmount,
      feeAmount: price.fee,
      midRate: formatRate(price.mid),
      markupBps: price.markupBps,
      status: 'success',
      quoteId: null,
      createdAt: now,
    });
    return settle(uow, row);
  });
}

function insertConversion(tx: Tx, now: Date, values: ConversionValues): Promise<ConversionRow> {
  return insertWithFreshId(tx, balanceConversions, () => newId(ID_PREFIXES.balanceConversion, now), values);
}

/**
 * The conversion's journal: the source leaves available (fee to the platform's fees account, the rest to its FX
 * position) and the target arrives in available from the FX position. Throws the insufficient-balance 400, which
 * rolls back the row (and the quote's use) with it.
 */
async function settle(uow: UnitOfWork, row: ConversionRow): Promise<BalanceConversion> {
  const net = row.sourceAmount - row.feeAmount;
  const posted = await postJournal(uow, {
    kind: 'balance_conversion',
    cause: { type: 'balance_conversion', id: row.id },
    entries: [
      { account: { purpose: 'available', currency: row.sourceCurrency }, amount: -row.sourceAmount },
      ...(row.feeAmount > 0n ? [{ account: { purpose: 'fees' as const, currency: row.sourceCurrency }, amount: row.feeAmount }] : []),
      { account: { purpose: 'fx', currency: row.sourceCurrency }, amount: net },
      { account: { purpose: 'fx', currency: row.targetCurrency }, amount: -row.targetAmount },
      { account: { purpose: 'available', currency: row.targetCurrency }, amount: row.targetAmount },
    ],
  });
  if (!posted.ok) throw errors.insufficientBalance(posted.shortfall);
  const conversion = presentConversion(row);
  await recordEvent(uow, { entityType: 'balance_conversion', eventType: row.status, entityId: row.id, data: conversion });
  return conversion;
}

export async function getBalanceConversion(deps: Pick<BalanceConversionDeps, 'db'>, tenant: Tenant, id: string): Promise<BalanceConversion> {
  assertIdPrefix(ID_PREFIXES.balanceConversion, id);
  const [row] = await deps.db.select().from(balanceConversions).where(and(tenantFilter(balanceConversions, tenant), eq(balanceConversions.id, id)));
  if (!row) throw errors.notFound('Balance conversion');
  return presentConversion(row);
}

export async function listBalanceConversions(
  deps: Pick<BalanceConversionDeps, 'db'>,
  tenant: Tenant,
  query: ListBalanceConversionsQuery,
): Promise<{ data: BalanceConversion[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(balanceConversions, tenant)];
  if (query.source_currency) where.push(eq(balanceConversions.sourceCurrency, query.source_currency.toUpperCase()));
  if (query.target_currency) where.push(eq(balanceConversions.targetCurrency, query.target_currency.toUpperCase()));
  const { rows, meta } = await listPage(deps.db, balanceConversions, where, pageRequest(query));
  return { data: rows.map(presentConversion), page_meta: meta };
}

/** The balance conversion operations the routes call, built once by the composition root. */
export function createBalanceConversionService(deps: BalanceConversionDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreateBalanceConversionBody) =>
      createBalanceConversion(deps, ctx, body),
    list: (ctx: TenantContext, query: ListBalanceConversionsQuery) => listBalanceConversions(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getBalanceConversion(deps, ctx.tenant, id),
  });
}

export type BalanceConversionService = ReturnType<typeof createBalanceConversionService>;
