// Internal transfers (notes-payouts §17): money moved between merchants of one platform hierarchy (platform → child,
// child → platform, child → child), in one environment. The transfer row is the platform's; its one journal debits
// the payer's available balance and credits the payee's, and both parties get the event, all in one transaction.
import { and, eq, or, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { internalTransfers } from '../../db/schema/index.js';
import { jsonAmount, money } from '../../core/amount.js';
import { unitOf, type TenantContext, type UnitOfWork } from '../../core/context.js';
import { isoSeconds } from '../../core/clock.js';
import { errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { claimRequestId } from '../../core/idempotency.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { normalizeCurrency } from '../../core/iso.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import type { Tenant } from '../../core/tenancy.js';
import { postJournal } from '../../ledger/index.js';
import { findMerchant } from '../merchants/service.js';
import type { CreateInternalTransferBody, InternalTransfer, ListInternalTransfersQuery } from './schemas.js';

export interface InternalTransferDeps {
  db: Db;
  /** The currencies transfers may move (INTERNAL_TRANSFER_CURRENCIES), upper-case. */
  currencies: readonly string[];
}

type TransferRow = typeof internalTransfers.$inferSelect;

export const INTERNAL_TRANSFER_ENTITY_TYPE = 'internal_transfer';
const REQUEST_ID_SCOPE = 'internal_transfers';

export function presentInternalTransfer(row: TransferRow): InternalTransfer {
  return {
    id: row.id,
    from_merchant_id: row.fromMerchantId,
    to_merchant_id: row.toMerchantId,
    owner_merchant_id: row.merchantId,
    transfer_amount: jsonAmount(row.amount),
    transfer_currency: row.currency,
    reference: row.reference,
    fees: { txn_fee: money(row.currency, 0n), fx_fee: money(row.currency, 0n) },
    error_code: null,
    error_description: null,
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  };
}

export interface CreatedInternalTransfer {
  transfer: InternalTransfer;
  /** True when `request_id` named a transfer already made: it is answered again and nothing moved. */
  replayed: boolean;
}

/**
 * The platform of the caller's hierarchy, with the caller's right to move money from `fromId` and both parties in
 * it: the platform itself, or its child in the caller's environment. Anything else (an unknown id, a merchant of
 * another environment or of another hierarchy) answers the same not-found refusal, so that none is revealed.
 */
async function platformOf(tx: Tx, caller: Tenant, fromId: string, toId: string): Promise<Tenant> {
  const me = await findMerchant(tx, caller.merchantId);
  const platformId = me?.isPlatform ? me.id : me?.ownerEnv === caller.env ? me.ownerMerchantId : null;
  if (!platformId) throw errors.internalTransferNoHierarchy();
  if (caller.merchantId !== platformId && caller.merchantId !== fromId) throw errors.internalTransferNotPayer();
  const member = async (id: string) => {
    if (id === platformId) return true;
    const merchant = await findMerchant(tx, id);
    return merchant?.ownerMerchantId === platformId && merchant.ownerEnv === caller.env;
  };
  if (!(await member(fromId))) throw errors.internalTransferMerchantNotFound('from_merchant_id');
  if (!(await member(toId))) throw errors.internalTransferMerchantNotFound('to_merchant_id');
  return { merchantId: platformId, env: caller.env };
}

/**
 * `POST /internal-transfer`. In one transaction: the caller's `request_id` claimed first (a repeat answers the first
 * transfer), the parties checked, the platform's row inserted, one journal from the payer's available balance to the
 * payee's (the ledger locks both accounts in its fixed order, so opposite transfers never deadlock) and the event of
 * each party under its own tenant. Any refusal rolls all of it back. Times are the caller's clock.
 */
export async function createInternalTransfer(
  deps: InternalTransferDeps,
  ctx: TenantContext,
  body: CreateInternalTransferBody,
): Promise<CreatedInternalTransfer> {
  const caller = ctx.tenant;
  const fromId = body.from_merchant_id.trim();
  const toId = body.to_merchant_id.trim();
  const requestId = body.request_id?.trim() || null;
  return deps.db.transaction(async (tx): Promise<CreatedInternalTransfer> => {
    const now = ctx.clock.now();
    const id = newId(ID_PREFIXES.internalTransfer, now);
    if (requestId !== null) {
      const claim = await claimRequestId(unitOf(tx, ctx), REQUEST_ID_SCOPE, requestId, id);
      if (!claim.claimed) {
        const [first] = await tx.select().from(internalTransfers).where(eq(internalTransfers.id, claim.existingResourceId));
        if (!first) throw new Error(`request_id ${requestId} names internal transfer ${claim.existingResourceId}, which does not exist`);
        return { transfer: presentInternalTransfer(first), replayed: true };
      }
    }
    // The schema's format accepted the code in any case; the operator's list decides whether it moves.
    const currency = normalizeCurrency(body.currency)!;
    if (!deps.currencies.includes(currency)) throw errors.unsupportedCurrency(currency, 'internal transfers');
    if (fromId === toId) throw errors.internalTransferSameMerchant();
    const platform = await platformOf(tx, caller, fromId, toId);

    // The row is the platform's (its tenant columns), so its journal is too: it names both parties' accounts.
    const uow: UnitOfWork = { tx, tenant: platform, clock: ctx.clock };
    const values = {
      ...platform, fromMerchantId: fromId, toMerchantId: toId, initiatedBy: caller.merchantId,
      currency, amount: BigInt(body.amount), reference: body.reference, requestId, createdAt: now, updatedAt: now,
    };
    // A claimed transfer takes the id its claim names (were it taken, the request fails whole and its retry draws
    // another); an unclaimed one draws again on a collision.
    const row = requestId === null
      ? await insertWithFreshId(tx, internalTransfers, () => newId(ID_PREFIXES.internalTransfer, now), values)
      : (await tx.insert(internalTransfers).values({ id, ...values }).returning())[0]!;
    const posted = await postJournal(uow, {
      kind: 'internal_transfer',
      cause: { type: INTERNAL_TRANSFER_ENTITY_TYPE, id: row.id },
      entries: [
        { account: { purpose: 'available', currency, merchantId: fromId }, amount: -row.amount },
        { account: { purpose: 'available', currency, merchantId: toId }, amount: row.amount },
      ],
    });
    if (!posted.ok) throw errors.insufficientBalance(posted.shortfall);
    const transfer = presentInternalTransfer(row);
    for (const party of [fromId, toId]) {
      await recordEvent({ tx, tenant: { merchantId: party, env: caller.env }, clock: ctx.clock }, {
        entityType: INTERNAL_TRANSFER_ENTITY_TYPE, eventType: 'success', entityId: row.id, data: transfer,
      });
    }
    return { transfer, replayed: false };
  });
}

/** What the caller may see: its hierarchy's transfers when it is their platform, else those it is a party to. */
function visibleTo(tenant: Tenant): SQL {
  return and(
    eq(internalTransfers.env, tenant.env),
    or(
      eq(internalTransfers.merchantId, tenant.merchantId),
      eq(internalTransfers.fromMerchantId, tenant.merchantId),
      eq(internalTransfers.toMerchantId, tenant.merchantId),
    ),
  ) as SQL;
}

export async function getInternalTransfer(deps: Pick<InternalTransferDeps, 'db'>, tenant: Tenant, id: string): Promise<InternalTransfer> {
  assertIdPrefix(ID_PREFIXES.internalTransfer, id);
  const [row] = await deps.db.select().from(internalTransfers).where(and(visibleTo(tenant), eq(internalTransfers.id, id)));
  if (!row) throw errors.notFound('Internal transfer');
  return presentInternalTransfer(row);
}

export async function listInternalTransfers(
  deps: Pick<InternalTransferDeps, 'db'>,
  tenant: Tenant,
  query: ListInternalTransfersQuery,
): Promise<{ data: InternalTransfer[]; page_meta: PageMeta }> {
  const where: SQL[] = [visibleTo(tenant)];
  if (query.from_merchant_id) where.push(eq(internalTransfers.fromMerchantId, query.from_merchant_id.trim()));
  if (query.to_merchant_id) where.push(eq(internalTransfers.toMerchantId, query.to_merchant_id.trim()));
  const { rows, meta } = await listPage(deps.db, internalTransfers, where, pageRequest(query));
  return { data: rows.map(presentInternalTransfer), page_meta: meta };
}

/** The internal transfer operations the routes call, built once by the composition root. */
export function createInternalTransferService(deps: InternalTransferDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreateInternalTransferBody) => createInternalTransfer(deps, ctx, body),
    list: (ctx: TenantContext, query: ListInternalTransfersQuery) => listInternalTransfers(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getInternalTransfer(deps, ctx.tenant, id),
  });
}

export type InternalTransferService = ReturnType<typeof createInternalTransferService>;
