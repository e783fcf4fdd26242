// Settlements: available funds sent to the merchant's own bank (its withdrawal account). A settlement is asked for
// by amount (`amount` + `balance_currency`), by payments (`payment_ids`: their net credits, each settled at most once)
// or by the sandbox's trigger (every settleable payment, one settlement per currency). Creating one holds its amount
// on the available balance, claims its payments and records `settlement`/`in_progress`, in one transaction; the
// sandbox rail (a job, SANDBOX_RAIL_DELAY_SECONDS later) posts the hold to clearing with a UTR (`success`) or voids it
// and gives the payments back (`failed`), with its event. Settlements carry no fee of their own (decision 0030).
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { ENVIRONMENTS, settlements, type SettlementKind, type SettlementStatus } from '../../db/schema/index.js';
import { jsonAmount } from '../../core/amount.js';
import type { Clock } from '../../core/clock.js';
import { inUnitOfWork, unitOf, type TenantContext, type UnitOfWork } from '../../core/context.js';
import { ApiError, errors } from '../../core/errors.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { assertIdPrefix, ID_PREFIXES, newId, randomBase62 } from '../../core/ids.js';
import { normalizeCurrency } from '../../core/iso.js';
import { enqueueJob } from '../../core/jobs.js';
import { defineLifecycle } from '../../core/lifecycle.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { tenantContext } from '../../core/tenant-clock.js';
import { getBalances, holdFunds, voidHold } from '../../ledger/index.js';
import {
  isSettleable, lockPaymentsForSettlement, lockSettleablePayments, markSettled, netOf, releaseSettled, settleableCurrencies,
  settlementLines, type SettlementLineRow,
} from '../payments/service.js';
import { settleOutbound } from '../payouts/service.js';
import { settlementScheduleOf } from '../merchants/service.js';
import { settlementAccount, type WithdrawalAccountRow } from '../withdrawals/service.js';
import { dayBounds, normalizeSchedule, paidCutoff, scheduleSettlementRun } from './schedule.js';
import type {
  CreateSettlementBody, ListSettlementsQuery, Settlement, SettlementSchedule as SettlementScheduleBody, Transaction, TriggeredSettlements,
} from './schemas.js';

/** Where the scheduled runs say what they did not settle and why (the process's logger; pino's call shape). */
export interface SettlementLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface SettlementDeps {
  db: Db;
  /** How long the sandbox rail takes to carry a settlement. */
  railDelaySeconds: number;
  /** Real time (the process clock): each environment's clock is read from it when a schedule is set. */
  realTime: Clock;
  log?: SettlementLog;
}

export type SettlementRow = typeof settlements.$inferSelect;

export const SETTLEMENT_ENTITY_TYPE = 'settlement';
export const SETTLEMENT_RAIL_QUEUE = 'settlements.rail';

/** The currencies whose balances are settled (the ones payins settle in; notes-payouts §20). */
export const SETTLEMENT_CURRENCIES = ['USD', 'EUR', 'GBP', 'AED', 'SGD'] as const;

/** Withdrawal-account number endings that make the sandbox rail fail a settlement (the payouts' 9910). */
export const SIMULATED_SETTLEMENT_FAILURE = { ending: '9910', code: 'SETTLEMENT_REJECTED' } as const;

const zero = (currency: string) => ({ amount: 0, currency });

export function presentSettlement(row: SettlementRow): Settlement {
  return withoutNulls({
    id: row.id,
    status: row.status,
    payment_method: 'swift_transfer',
    amount: jsonAmount(row.amount),
    currency: row.currency,
    fees: { fx_fee: zero(row.currency), txn_fee: zero(row.currency) },
    utr: row.utr,
    // Millisecond timestamps, as the contract's examples write them.
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  });
}

/** A settled payment as the contract's `Transaction`: its credit, fees and the net amount settled. */
export function presentTransaction(row: SettlementLineRow): Transaction {
  return {
    id: `${ID_PREFIXES.settlementTransaction}_${row.id.slice(ID_PREFIXES.payment.length + 1)}`,
    source_id: row.id,
    source_type: 'payment',
    credit: { amount: jsonAmount(row.amount), currency: row.currency },
    debit: zero(row.currency),
    fees: {
      fx_fee: { amount: jsonAmount(row.fxFeeAmount), currency: row.paymentCurrency },
      txn_fee: { amount: jsonAmount(row.feeAmount), currency: row.currency },
    },
    settled_amount: { amount: jsonAmount(netOf(row)), currency: row.currency },
    processed_at: (row.paidAt ?? row.createdAt).toISOString(),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const TRANSITIONS: Record<SettlementStatus, readonly SettlementStatus[]> = {
  in_progress: ['success', 'failed'],
  success: [],
  failed: [],
};

const settlementLifecycle = defineLifecycle({
  table: settlements,
  entity: 'Settlement',
  entityType: SETTLEMENT_ENTITY_TYPE,
  transitions: TRANSITIONS,
  present: presentSettlement,
});

function settlementCurrency(given: string): string {
  const currency = normalizeCurrency(given);
  if (!currency) throw errors.validation('Balance currency must be a valid ISO 4217 currency code (e.g., USD)');
  if (!(SETTLEMENT_CURRENCIES as readonly string[]).includes(currency)) throw errors.unsupportedCurrency(currency, 'settlements');
  return currency;
}

/** The settled payments' one currency, or 422 for a set that cannot be settled together. */
function checkLines(ids: readonly string[], rows: readonly SettlementLineRow[]): string {
  if (rows.length !== ids.length) throw errors.paymentsNotSettleable('some payments are not found');
  if (rows.some((row) => row.settlementId !== null)) throw errors.paymentsNotSettleable('some payments are already settled');
  if (rows.some((row) => !isSettleable(row) || netOf(row) <= 0n)) {
    throw errors.paymentsNotSettleable('some payments are not successful or their funds are not available yet');
  }
  const currencies = new Set(rows.map((row) => row.currency));
  if (currencies.size > 1) throw errors.paymentsNotSettleable('the payments settle in different currencies');
  return rows[0]!.currency;
}

/**
 * Holds the amount, inserts the settlement, claims its payments, records its event and schedules the rail, with the
 * caller's transaction. A shortfall answers 400 INSUFFICIENT_BALANCE, which rolls the caller's transaction back.
 */
async function openSettlement(
  uow: UnitOfWork, deps: SettlementDeps, input: { kind: SettlementKind; currency: string; amount: bigint; account: WithdrawalAccountRow; paymentIds: readonly string[] },
): Promise<Settlement> {
  const { tx, tenant, clock } = uow;
  const now = clock.now();
  const inserted = await insertWithFreshId(tx, settlements, () => newId(ID_PREFIXES.settlement, now), {
    ...tenant, status: 'in_progress', kind: input.kind, currency: input.currency, amount: input.amount,
    withdrawalAccountId: input.account.id, holdId: null, createdAt: now, updatedAt: now,
  });
  const held = await holdFunds(uow, { currency: input.currency, amount: input.amount, cause: { type: SETTLEMENT_ENTITY_TYPE, id: inserted.id } });
  if (!held.ok) throw errors.insufficientBalance(held.shortfall);
  const [row] = await tx.update(settlements).set({ holdId: held.hold.id })
    .where(and(tenantFilter(settlements, tenant), eq(settlements.id, inserted.id))).returning();
  if (!row) throw new Error(`settlement ${inserted.id} vanished in its own transaction`);
  await markSettled(tx, tenant, input.paymentIds, row.id, now);
  await enqueueJob(uow, {
    queue: SETTLEMENT_RAIL_QUEUE,
    payload: { merchantId: tenant.merchantId, env: tenant.env, settlementId: row.id },
    uniqueKey: `settlement-rail:${row.id}`,
    runAt: new Date(now.getTime() + deps.railDelaySeconds * 1000),
  });
  return settlementLifecycle.record(uow, row);
}

async function accountFor(db: DbOrTx, tenant: Tenant, currency: string): Promise<WithdrawalAccountRow> {
  const account = await settlementAccount(db, tenant, currency);
  if (!account) throw errors.noWithdrawalAccount();
  return account;
}

/** Production has no connection to a bank yet: nothing settles there (decision 0030), asked for or scheduled. */
const settlementsAvailable = (tenant: Tenant): boolean => tenant.env !== 'production';

/** `POST /settlements`: by amount of a balance, or by payments (their net credits, all in one currency). */

export async function createSettlement(deps: SettlementDeps, ctx: TenantContext, body: CreateSettlementBody): Promise<Settlement> {
  const byAmount = body.amount !== undefined || body.balance_currency !== undefined;
  if (byAmount === (body.payment_ids !== undefined)) throw errors.settlementTarget();
  if (!settlementsAvailable(ctx.tenant)) throw errors.settlementsUnavailable();
  if (byAmount) {
    if (body.amount === undefined) throw errors.blank('amount');
    if (body.balance_currency === undefined) throw errors.blank('balance_currency');
    const currency = settlementCurrency(body.balance_currency);
    const account = await accountFor(deps.db, ctx.tenant, currency);
    return inUnitOfWork(deps.db, ctx, (uow) =>
      openSettlement(uow, deps, { kind: 'amount', currency, amount: BigInt(body.amount!), account, paymentIds: [] }));
  }
  const ids = [...new Set(body.payment_ids!.map((id) => id.trim()))];
  for (const id of ids) assertIdPrefix(ID_PREFIXES.payment, id);
  return inUnitOfWork(deps.db, ctx, async (uow) => {
    const rows = await lockPaymentsForSettlement(uow.tx, uow.tenant, ids);
    const currency = checkLines(ids, rows);
    const account = await accountFor(uow.tx, uow.tenant, currency);
    const amount = rows.reduce((sum, row) => sum + netOf(row), 0n);
    return openSettlement(uow, deps, { kind: 'payments', currency, amount, account, paymentIds: ids });
  });
}

/**
 * `POST /settlements/mock-trigger` (sandbox): settles every settleable payment, one settlement per currency, each in
 * its own transaction. A currency without a withdrawal account to go to, or whose available balance no longer covers
 * its payments (spent on payouts), is skipped: the trigger settles what it can.
 */
export async function triggerSettlements(deps: SettlementDeps, ctx: TenantContext): Promise<TriggeredSettlements> {
  const data: Settlement[] = [];
  for (const currency of await settleableCurrencies(deps.db, ctx.tenant)) {
    const account = await settlementAccount(deps.db, ctx.tenant, currency);
    if (!account) continue;
    const settled = await inUnitOfWork(deps.db, ctx, async (uow) => {
      const rows = (await lockSettleablePayments(uow.tx, uow.tenant, currency)).filter((row) => netOf(row) > 0n);
      if (rows.length === 0) return undefined;
      const amount = rows.reduce((sum, row) => sum + netOf(row), 0n);
      return openSettlement(uow, deps, { kind: 'trigger', currency, amount, account, paymentIds: rows.map((row) => row.id) });
    }).catch((error: unknown) => {
      // Its balance no longer covers its payments (spent on payouts): the trigger settles what it can.
      if (error instanceof ApiError && error.code === 'INSUFFICIENT_BALANCE') return undefined;
      throw error;
    });
    if (settled) data.push(settled);
  }
  return { data };
}

// ---------------------------------------------------------------------------------------------------------------
// Automatic settlement (the merchant's settlement_schedule, decision 0031).

/** What one scheduled run did: the settlements it opened, and per currency why it opened none. */
export interface ScheduledRun {
  /** False when the merchant has no schedule (any more): the run did nothing and scheduled nothing. */
  scheduled: boolean;
  /** The next run's time, when one was scheduled. */
  next?: Date;
  settled: Settlement[];
  skipped: Array<{ currency: string; reason: 'settlements_unavailable' | 'no_withdrawal_account' | 'nothing_eligible' | 'insufficient_balance' | 'already_settled_today' }>;
}

/** The run found a scheduled settlement of the currency already made today (a job run twice): it rolls back. */
class AlreadySettledToday extends Error {}

/**
 * Settles one currency on schedule, in one transaction: the tenant's settleable payments paid before `paidBefore`,
 * oldest first as far as the available balance covers their net (payouts may have spent part of it), as one
 * settlement of kind `schedule` through the creation path every settlement takes. Once its hold has locked the
 * balance account, a second scheduled settlement of the currency today (the same day's job run twice, after a lost
 * lease) rolls this one back, so a day settles each currency once. Answers the settlement or why there is none.
 */
async function settleCurrencyOnSchedule(
  deps: SettlementDeps, ctx: TenantContext, currency: string, paidBefore: Date, account: WithdrawalAccountRow,
): Promise<Settlement | ScheduledRun['skipped'][number]['reason']> {
  const today = dayBounds(ctx.clock.now());
  try {
    return await inUnitOfWork(deps.db, ctx, async (uow) => {
      // Locked in id order (as every settlement locks them); settled in the order they were paid.
      const rows = (await lockSettleablePayments(uow.tx, uow.tenant, currency, paidBefore)).filter((row) => netOf(row) > 0n)
        .sort((a, b) => (a.paidAt?.getTime() ?? 0) - (b.paidAt?.getTime() ?? 0) || a.id.localeCompare(b.id));
      if (rows.length === 0) return 'nothing_eligible';
      const available = (await getBalances(uow.tx, uow.tenant)).available.find((b) => b.currency === currency)?.amount ?? 0n;
      const covered: SettlementLineRow[] = [];
      let amount = 0n;
      for (const row of rows) {
        if (amount + netOf(row) > available) break;
        covered.push(row);
        amount += netOf(row);
      }
      if (covered.length === 0) return 'insufficient_balance';
      const settlement = await openSettlement(uow, deps, { kind: 'schedule', currency, amount, account, paymentIds: covered.map((row) => row.id) });
      const [{ count } = { count: 0 }] = await uow.tx.select({ count: sql<number>`count(*)::int` }).from(settlements).where(and(
        tenantFilter(settlements, uow.tenant), eq(settlements.kind, 'schedule'), eq(settlements.currency, currency),
        gte(settlements.createdAt, today.from), lt(settlements.createdAt, today.to),
      ));
      if (count > 1) throw new AlreadySettledToday();
      return settlement;
    });
  } catch (error) {
    if (error instanceof AlreadySettledToday) return 'already_settled_today';
    // The balance fell below the payments between its reading and the hold (a payout meanwhile): tomorrow's run.
    if (error instanceof ApiError && error.code === 'INSUFFICIENT_BALANCE') return 'insufficient_balance';
    throw error;
  }
}

/**
 * One scheduled run of a merchant environment (the `settlements.schedule` job), at its clock's now: without a schedule
 * (switched off) it does nothing and schedules nothing; otherwise it schedules the next day's run first (so a run that
 * fails still leaves tomorrow's), then settles each scheduled currency in its own transaction. A currency without a
 * withdrawal account, and every currency in production (no bank connection), is skipped and logged.
 */
export async function runSettlementSchedule(deps: SettlementDeps, ctx: TenantContext): Promise<ScheduledRun> {
  const schedule = await settlementScheduleOf(deps.db, ctx.tenant.merchantId);
  if (!schedule) return { scheduled: false, settled: [], skipped: [] };
  const next = await inUnitOfWork(deps.db, ctx, (uow) => scheduleSettlementRun(uow));
  const run: ScheduledRun = { scheduled: true, next, settled: [], skipped: [] };
  const now = ctx.clock.now();
  const paidBefore = paidCutoff(now, schedule.delay_days);
  for (const currency of schedule.currencies) {
    let outcome: Settlement | ScheduledRun['skipped'][number]['reason'];
    if (!settlementsAvailable(ctx.tenant)) {
      outcome = 'settlements_unavailable';
    } else {
      const account = await settlementAccount(deps.db, ctx.tenant, currency);
      outcome = account ? await settleCurrencyOnSchedule(deps, ctx, currency, paidBefore, account) : 'no_withdrawal_account';
    }
    if (typeof outcome === 'string') run.skipped.push({ currency, reason: outcome });
    else run.settled.push(outcome);
  }
  const fields = { merchant_id: ctx.tenant.merchantId, env: ctx.tenant.env, run_at: now.toISOString(), paid_before: paidBefore.toISOString() };
  for (const settlement of run.settled) deps.log?.info({ ...fields, settlement_id: settlement.id, currency: settlement.currency, amount: settlement.amount }, 'scheduled settlement opened');
  for (const { currency, reason } of run.skipped) {
    // Nothing to settle is the normal day; the others are something the operator may want to put right.
    if (reason === 'nothing_eligible') continue;
    deps.log?.warn({ ...fields, currency, reason }, 'scheduled settlement skipped');
  }
  return run;
}

/**
 * After the merchant's schedule was set (with the transaction that set it): each environment's next run, by that
 * environment's clock. Setting it again (other currencies, another delay) adds nothing: the day's run reads the schedule
 * as it is when it runs.
 */
export async function scheduleSettlementRuns(deps: Pick<SettlementDeps, 'realTime'>, tx: Tx, merchantId: string): Promise<void> {
  for (const env of ENVIRONMENTS) {
    const ctx = await tenantContext(tx, deps.realTime, { merchantId, env });
    await scheduleSettlementRun(unitOf(tx, ctx));
  }
}

export async function findSettlement(db: DbOrTx, tenant: Tenant, id: string): Promise<SettlementRow | undefined> {
  const [row] = await db.select().from(settlements).where(and(tenantFilter(settlements, tenant), eq(settlements.id, id)));
  return row;
}

async function mustFind(db: DbOrTx, tenant: Tenant, id: string): Promise<SettlementRow> {
  assertIdPrefix(ID_PREFIXES.settlement, id);
  const row = await findSettlement(db, tenant, id);
  if (!row) throw errors.notFound('Settlement');
  return row;
}

export async function listSettlements(
  deps: Pick<SettlementDeps, 'db'>, ctx: TenantContext, query: ListSettlementsQuery,
): Promise<{ data: Settlement[]; page_meta: PageMeta }> {
  const page = await listPage(deps.db, settlements, [tenantFilter(settlements, ctx.tenant)], pageRequest(query));
  return { data: page.rows.map(presentSettlement), page_meta: page.meta };
}

/** `GET /settlements/{id}/transactions`: the settled payments, newest first (an amount settlement has none). */
export async function listSettlementTransactions(
  deps: Pick<SettlementDeps, 'db'>, ctx: TenantContext, id: string, query: ListSettlementsQuery,
): Promise<{ data: Transaction[]; page_meta: PageMeta }> {
  const settlement = await mustFind(deps.db, ctx.tenant, id);
  const page = await settlementLines(deps.db, ctx.tenant, settlement.id, pageRequest(query));
  return { data: page.rows.map(presentTransaction), page_meta: page.meta };
}

/** A sandbox UTR, as the payouts' rail answers. */
const sandboxUtr = () => `GLMOSB${randomBase62(14).toUpperCase()}`;

/**
 * The sandbox rail's work for one settlement (the `settlements.rail` job), its row locked: success posts the hold to
 * clearing with a UTR; a withdrawal account whose number ends in 9910 makes the bank reject it: the hold is voided
 * and the payments can be settled again. Answers without a change when the settlement is no longer in progress.
 */
export async function completeSettlement(uow: UnitOfWork, id: string, accountNumber: (accountId: string) => Promise<string | undefined>): Promise<void> {
  const row = await settlementLifecycle.lock(uow.tx, uow.tenant, id);
  if (!row || row.status !== 'in_progress') return;
  if (row.holdId === null) throw new Error(`settlement ${row.id} is in progress without its hold`);
  const number = (await accountNumber(row.withdrawalAccountId)) ?? '';
  if (number.replace(/\s/g, '').endsWith(SIMULATED_SETTLEMENT_FAILURE.ending)) {
    const voided = await voidHold(uow, row.holdId);
    if (!voided.ok) throw new Error(`settlement ${row.id}: hold ${row.holdId} could not be voided: ${voided.reason}`);
    await releaseSettled(uow.tx, uow.tenant, row.id, uow.clock.now());
    await settlementLifecycle.apply(uow, row, 'failed', { errorCode: SIMULATED_SETTLEMENT_FAILURE.code });
    return;
  }
  await settleOutbound(uow, row.holdId, { currency: row.currency, amount: row.amount, fxFee: 0n, txnFee: 0n });
  await settlementLifecycle.apply(uow, row, 'success', { utr: sandboxUtr() });
}

export function createSettlementService(deps: SettlementDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreateSettlementBody) => createSettlement(deps, ctx, body),
    trigger: (ctx: TenantContext) => triggerSettlements(deps, ctx),
    /** The `settlements.schedule` job's run. */
    runSchedule: (ctx: TenantContext) => runSettlementSchedule(deps, ctx),
    /** Schedules the first runs of a schedule just set, in the transaction that set it. */
    scheduleRuns: (tx: Tx, merchantId: string) => scheduleSettlementRuns(deps, tx, merchantId),
    /** A schedule from the operator's body, as it is stored (400 for a currency that is not settled). */
    normalizeSchedule: (body: SettlementScheduleBody) => normalizeSchedule(body, SETTLEMENT_CURRENCIES),
    list: (ctx: TenantContext, query: ListSettlementsQuery) => listSettlements(deps, ctx, query),
    get: async (ctx: TenantContext, id: string) => presentSettlement(await mustFind(deps.db, ctx.tenant, id)),
    transactions: (ctx: TenantContext, id: string, query: ListSettlementsQuery) => listSettlementTransactions(deps, ctx, id, query),
  });
}

export type SettlementService = ReturnType<typeof createSettlementService>;
