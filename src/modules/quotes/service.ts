// Quotes: a rate locked for a while (QUOTE_TTL_SECONDS, 30 min by default) that one payin, payout or balance
// conversion can consume, once. Pricing is the conversion rule of src/fx/conversion-pricing.ts.
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { quotes, type QuoteResource } from '../../db/schema/index.js';
import { fitsJson, money, jsonAmount } from '../../core/amount.js';
import type { TenantContext, UnitOfWork } from '../../core/context.js';
import { isoSeconds } from '../../core/clock.js';
import { errors, type ApiError, type QuoteSubject } from '../../core/errors.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { formatRate, parseRate, rateToNumber, type Rate } from '../../core/money.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { priceConversion } from '../../fx/conversion-pricing.js';
import type { FxRateSource } from '../../fx/rates.js';
import type { CreateQuoteBody, Quote, QuoteList } from './schemas.js';

/**
 * How payout quotes are priced: the payouts module's rails and fees, handed in by the composition root (quotes sits
 * below payouts, which consumes quotes, so it imports nothing of payouts).
 */
export interface PayoutQuotePricing {
  /** The rails a payout quote is priced for, one per eligible rail of its method; a 400 for what payouts do not take. */
  railsFor(body: CreateQuoteBody, sourceCurrency: string, destinationCurrency: string): { paymentMethod: string; subtype: string; rails: string[] };
  /** The transaction fee of a payout on `rail`, in the source currency's minor units. */
  txnFee(rail: string, sourceCurrency: string): Promise<bigint>;
}

export interface QuoteDeps {
  db: Db;
  fxRates: FxRateSource;
  markupBps: number;
  quoteTtlSeconds: number;
  payoutPricing: PayoutQuotePricing;
}

export type QuoteRow = typeof quotes.$inferSelect;
export type { CreateQuoteBody } from './schemas.js';

/** The priced amounts of a conversion of `source` into `destination`, at the mid rate with the markup as fee. */
export interface FxPrice {
  mid: Rate;
  markupBps: number;
  sourceAmount: bigint;
  destinationAmount: bigint;
  fee: bigint;
}

/**
 * Prices a movement from one currency to another. Same-currency movements (a USD payout of USD) cost no FX fee.
 * Throws the API's 400s for unsupported currencies, amounts too small to convert and converted amounts past what the
 * API can answer.
 */
export async function priceFx(
  fxRates: FxRateSource,
  markupBps: number,
  input: { sourceCurrency: string; destinationCurrency: string; sourceAmount?: bigint; destinationAmount?: bigint },
  what: string,
): Promise<FxPrice> {
  for (const currency of [input.sourceCurrency, input.destinationCurrency]) {
    if (!fxRates.currencies().includes(currency)) throw errors.unsupportedCurrency(currency, what);
  }
  const mid = await fxRates.midRate(input.sourceCurrency, input.destinationCurrency);
  if (!mid) throw errors.unsupportedCurrency(input.sourceCurrency, what);
  const bps = input.sourceCurrency === input.destinationCurrency ? 0 : markupBps;
  const amounts = input.sourceAmount !== undefined ? { sourceAmount: input.sourceAmount } : { targetAmount: input.destinationAmount! };
  const price = priceConversion({ sourceCurrency: input.sourceCurrency, targetCurrency: input.destinationCurrency, mid, markupBps: bps, ...amounts });
  if (!price.ok) throw errors.amountTooSmall();
  // The accepted amount converted (USD into INR multiplies it by ~83) may pass what the API can answer.
  if (![price.sourceAmount, price.targetAmount, price.fee].every(fitsJson)) throw errors.amountBeyondJsonRange();
  return { mid, markupBps: bps, sourceAmount: price.sourceAmount, destinationAmount: price.targetAmount, fee: price.fee };
}

/** The rate after the markup, as a decimal string: mid × (10000 − bps) / 10000, exact. */
export function effectiveRate(mid: Rate, markupBps: number): string {
  return formatRate({ units: mid.units * BigInt(10_000 - markupBps), scale: mid.scale + 4 });
}

export function quoteStatus(row: QuoteRow, now: Date): Quote['status'] {
  if (row.usedAt) return 'used';
  return row.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
}

export function presentQuote(row: QuoteRow, now: Date): Quote {
  const mid = parseRate(row.midRate);
  return withoutNulls({
    id: row.id,
    resource: row.resource,
    status: quoteStatus(row, now),
    source_currency: row.sourceCurrency,
    destination_currency: row.destinationCurrency,
    source_amount: jsonAmount(row.sourceAmount),
    destination_amount: jsonAmount(row.destinationAmount),
    fx_rate: effectiveRate(mid, row.markupBps),
    mid_market_rate: { currency: row.destinationCurrency, rate: rateToNumber(mid) },
    fees: { txn_fee: money(row.sourceCurrency, row.txnFee), fx_fee: money(row.sourceCurrency, row.fxFee) },
    method: row.paymentRail ? { payment_method: row.paymentMethod!, subtype: row.subtype!, payment_rail: row.paymentRail } : null,
    used_by: row.usedBy,
    expires_at: isoSeconds(row.expiresAt),
    created_at: isoSeconds(row.createdAt),
  });
}

export async function createQuotes(deps: QuoteDeps, ctx: TenantContext, body: CreateQuoteBody): Promise<QuoteList> {
  const { tenant, clock } = ctx;
  const sourceCurrency = body.source_currency.toUpperCase();
  const destinationCurrency = body.destination_currency.toUpperCase();
  if (body.source_amount !== undefined && body.destination_amount !== undefined) throw errors.oneAmount('source_amount', 'destination_amount');
  if (body.source_amount === undefined && body.destination_amount === undefined) throw errors.noAmount('source_amount', 'destination_amount');
  if (body.method && body.payment_method) throw errors.invalidParameter('You can only send method or payment_method, not both.');
  if ((body.method ?? body.payment_method) && body.resource !== 'payout') {
    throw errors.invalidParameter('method can only be specified for payout quotes');
  }

  let rails: { paymentMethod: string; subtype: string; rails: (string | null)[] } = { paymentMethod: '', subtype: '', rails: [null] };
  if (body.resource === 'payout') rails = deps.payoutPricing.railsFor(body, sourceCurrency, destinationCurrency);
  if (body.resource === 'balance_conversion' && sourceCurrency === destinationCurrency) throw errors.identicalCurrencies('source_currency', 'destination_currency');

  const what = body.resource === 'balance_conversion' ? 'balance conversions' : `${body.resource}s`;
  const price = await priceFx(deps.fxRates, deps.markupBps, {
    sourceCurrency,
    destinationCurrency,
    ...(body.source_amount !== undefined ? { sourceAmount: BigInt(body.source_amount) } : { destinationAmount: BigInt(body.destination_amount!) }),
  }, what);

  const now = clock.now();
  const expiresAt = new Date(now.getTime() + deps.quoteTtlSeconds * 1000);
  // Each rail's own transaction fee, as the payout made from the quote will hold it.
  const txnFees = new Map<string, bigint>();
  for (const rail of rails.rails) {
    if (rail !== null) txnFees.set(rail, await deps.payoutPricing.txnFee(rail, sourceCurrency));
  }
  const rows = await deps.db.transaction(async (tx) => {
    const created: QuoteRow[] = [];
    for (const rail of rails.rails) {
      created.push(await insertWithFreshId(tx, quotes, () => newId(ID_PREFIXES.quote, now), {
        ...tenant,
        resource: body.resource,
        sourceCurrency,
        destinationCurrency,
        sourceAmount: price.sourceAmount,
        destinationAmount: price.destinationAmount,
        midRate: formatRate(price.mid),
        markupBps: price.markupBps,
        fxFee: price.fee,
        txnFee: (rail !== null && txnFees.get(rail)) || 0n,
        paymentMethod: rail ? rails.paymentMethod : null,
        subtype: rail ? rails.subtype : null,
        paymentRail: rail,
        expiresAt,
        createdAt: now,
      }));
    }
    return created;
  });
  return { quotes: rows.map((row) => presentQuote(row, now)) };
}

/** The tenant's quote, or undefined; for consumers that read the locked amounts before using the quote. */
export async function findQuote(db: DbOrTx, tenant: Tenant, id: string): Promise<QuoteRow | undefined> {
  const [row] = await db.select().from(quotes).where(and(tenantFilter(quotes, tenant), eq(quotes.id, id)));
  return row;
}

export async function getQuote(deps: Pick<QuoteDeps, 'db'>, ctx: TenantContext, id: string): Promise<Quote> {
  const { tenant, clock } = ctx;
  assertIdPrefix(ID_PREFIXES.quote, id);
  const row = await findQuote(deps.db, tenant, id);
  if (!row) throw errors.notFound('Quote');
  return presentQuote(row, clock.now());
}

export type QuoteConsumption =
  | { ok: true; quote: QuoteRow }
  | { ok: false; reason: 'not_found' | 'wrong_resource' | 'used' | 'expired' };

/**
 * Marks a quote used by `usedBy`, in the caller's transaction, if it is the tenant's, for `resource`, unused and
 * unexpired. The conditional update makes it single-use: of concurrent consumers exactly one matches.
 */
export async function consumeQuote(
  uow: UnitOfWork,
  quoteId: string,
  resource: QuoteResource,
  usedBy: string,
): Promise<QuoteConsumption> {
  const { tx, clock, tenant } = uow;
  const now = clock.now();
  const [used] = await tx
    .update(quotes)
    .set({ usedAt: now, usedBy })
    .where(and(
      tenantFilter(quotes, tenant),
      eq(quotes.id, quoteId),
      eq(quotes.resource, resource),
      isNull(quotes.usedAt),
      gt(quotes.expiresAt, now),
    ))
    .returning();
  if (used) return { ok: true, quote: used };
  const row = await findQuote(tx, tenant, quoteId);
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.resource !== resource) return { ok: false, reason: 'wrong_resource' };
  if (row.usedAt) return { ok: false, reason: 'used' };
  return { ok: false, reason: 'expired' };
}

/**
 * The 400 a consumer answers for a quote it cannot use: named `quote_id` (notes-payouts §13.2), or `Quote` in the
 * orders' wording (see QuoteSubject).
 */
export function quoteError(
  reason: Exclude<QuoteConsumption, { ok: true }>['reason'],
  resource: QuoteResource,
  subject: QuoteSubject = 'quote_id',
): ApiError {
  switch (reason) {
    case 'not_found':
      return errors.quoteNotFound(subject);
    case 'wrong_resource':
      return errors.quoteWrongResource(resource);
    case 'used':
      return errors.quoteUsed(subject);
    case 'expired':
      return errors.quoteExpired(subject);
  }
}

/** The quote operations the routes call, built once by the composition root; each runs on the caller's context. */
export function createQuoteService(deps: QuoteDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreateQuoteBody) => createQuotes(deps, ctx, body),
    get: (ctx: TenantContext, id: string) => getQuote(deps, ctx, id),
  });
}

export type QuoteService = ReturnType<typeof createQuoteService>;
