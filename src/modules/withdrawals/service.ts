// Withdrawals (deprecated in the contract, served): the merchant's balance paid out to its own withdrawal account.
// Creation holds the amount and the SWIFT transaction fee on the available balance; the sandbox mock resolves it:
// `success` posts the hold (the converted part to clearing, the fees to fees), `failed` voids it back. Each step
// commits with its ledger journal and its `withdrawal` event in one transaction (docs/decisions/0016-withdrawals.md).
import { and, eq, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { withdrawals, type WithdrawalStatus } from '../../db/schema/index.js';
import { jsonAmount, money } from '../../core/amount.js';
import { isoSeconds } from '../../core/clock.js';
import type { TenantContext } from '../../core/context.js';
import { errors } from '../../core/errors.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { defineLifecycle } from '../../core/lifecycle.js';
import { normalizeCurrency } from '../../core/iso.js';
import { formatRate, parseRate, rateToNumber } from '../../core/money.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import type { FxRateSource } from '../../fx/rates.js';
import { voidHold } from '../../ledger/index.js';
import { holdOutbound, PAYOUT_SOURCE_CURRENCIES, payoutTxnFee, settleOutbound, SWIFT_RAIL, type OutboundAmounts } from '../payouts/service.js';
import { priceFx } from '../quotes/service.js';
import {
  createWithdrawalAccount, findWithdrawalAccount, getWithdrawalAccount, listMerchantWithdrawalAccounts, listWithdrawalAccounts,
  someWithdrawalAccounts, type WithdrawalAccountRow,
} from './accounts.js';
import type { CreateWithdrawalBody, ListWithdrawalsQuery, MockUpdateWithdrawalBody, Withdrawal } from './schemas.js';

export interface WithdrawalDeps {
  db: Db;
  fxRates: FxRateSource;
  markupBps: number;
}

export type WithdrawalRow = typeof withdrawals.$inferSelect;

/** Extension entity type of the outbox events (the catalogue documents none for withdrawals); event type = status. */
export const WITHDRAWAL_ENTITY_TYPE = 'withdrawal';
/** Withdrawals move the merchant's own money: "Self Transfer" of the payout purpose list. */
export const WITHDRAWAL_PURPOSE_CODE = 'S0000';

/** The moves the lifecycle allows; every other one answers `State change not allowed`. */
const TRANSITIONS: Readonly<Record<WithdrawalStatus, readonly WithdrawalStatus[]>> = {
  in_progress: ['success', 'failed'],
  action_required: [],
  under_review: [],
  success: [],
  failed: [],
  cancelled: [],
};

const withdrawalLifecycle = defineLifecycle({
  table: withdrawals,
  entity: 'Withdrawal',
  entityType: WITHDRAWAL_ENTITY_TYPE,
  transitions: TRANSITIONS,
  present: presentWithdrawal,
  invalidTransition: () => errors.stateChangeNotAllowed(),
});

export function presentWithdrawal(row: WithdrawalRow): Withdrawal {
  return {
    id: row.id,
    status: row.status,
    currency: row.currency,
    amount: jsonAmount(row.amount),
    withdrawal_account_id: row.withdrawalAccountId,
    payment_method: 'bank_transfer',
    balance_used: [money(row.balanceCurrency, row.balanceAmount)],
    purpose_code: row.purposeCode,
    mid_market_rate: [{ currency: row.currency, rate: rateToNumber(parseRate(row.midRate)) }],
    fx_fees: [money(row.balanceCurrency, row.fxFee)],
    txn_fees: [money(row.balanceCurrency, row.txnFee)],
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  };
}

/** For the settlements' rail: the account a settlement was sent to. */
export { findWithdrawalAccount, type WithdrawalAccountRow };

/**
 * Where a settlement in `currency` goes: the tenant's withdrawal account in that currency, else its oldest one (its
 * bank converts), else undefined. For the settlements module.
 */
export async function settlementAccount(db: DbOrTx, tenant: Tenant, currency: string): Promise<WithdrawalAccountRow | undefined> {
  const accounts = await someWithdrawalAccounts(db, tenant, 100);
  const oldest = [...accounts].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  return oldest.find((account) => account.currency === currency) ?? oldest[0];
}

/** The named account, or the tenant's only one. */
async function chooseAccount(db: DbOrTx, tenant: Tenant, requested: string | undefined): Promise<WithdrawalAccountRow> {
  const id = requested?.trim();
  if (id) {
    assertIdPrefix(ID_PREFIXES.withdrawalAccount, id);
    const account = await findWithdrawalAccount(db, tenant, id);
    if (!account) throw errors.notFound('Withdrawal account');
    return account;
  }
  const accounts = await someWithdrawalAccounts(db, tenant, 2);
  if (accounts.length === 0) throw errors.noWithdrawalAccount();
  if (accounts.length > 1) throw errors.withdrawalAccountRequired();
  return accounts[0]!;
}

/**
 * `POST /withdrawals`: prices the withdrawal (the FX markup as fee when the account's currency differs; the SWIFT
 * transaction fee on top), then in one transaction inserts it `in_progress`, holds amount + transaction fee on the
 * available balance and records `withdrawal.in_progress`. A shortfall rolls it all back: nothing is stored.
 */
export async function createWithdrawal(deps: WithdrawalDeps, ctx: TenantContext, body: CreateWithdrawalBody): Promise<Withdrawal> {
  const { tenant, clock } = ctx;
  const given = body.balance_currency.trim();
  if (given === '') throw errors.blank('balance_currency');
  const balanceCurrency = normalizeCurrency(given);
  if (!balanceCurrency) throw errors.validation('Balance currency must be a valid ISO 4217 currency code (e.g., USD)');
  if (!(PAYOUT_SOURCE_CURRENCIES as readonly string[]).includes(balanceCurrency)) {
    throw errors.unsupportedCurrency(balanceCurrency, 'withdrawals');
  }
  const account = await chooseAccount(deps.db, tenant, body.withdrawal_account_id);
  const amount = BigInt(body.amount);
  const price = await priceFx(deps.fxRates, deps.markupBps, {
    sourceCurrency: balanceCurrency,
    destinationCurrency: account.currency,
    sourceAmount: amount,
  }, 'withdrawals');
  const txnFee = await payoutTxnFee(deps.fxRates, SWIFT_RAIL, balanceCurrency);

  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const now = clock.now();
    const inserted = await insertWithFreshId(tx, withdrawals, () => newId(ID_PREFIXES.withdrawal, now), {
      ...tenant,
      withdrawalAccountId: account.id,
      status: 'in_progress',
      balanceCurrency,
      balanceAmount: price.sourceAmount,
      currency: account.currency,
      amount: price.destinationAmount,
      midRate: formatRate(price.mid),
      fxFee: price.fee,
      txnFee,
      purposeCode: WITHDRAWAL_PURPOSE_CODE,
      holdId: null,
      createdAt: now,
      updatedAt: now,
    });
    const held = await holdOutbound(uow, { type: WITHDRAWAL_ENTITY_TYPE, id: inserted.id }, outboundOf(inserted));
    if (!held.ok) throw errors.insufficientBalance(held.shortfall);
    const [row] = await tx.update(withdrawals).set({ holdId: held.holdId })
      .where(and(tenantFilter(withdrawals, tenant), eq(withdrawals.id, inserted.id))).returning();
    return withdrawalLifecycle.record(uow, row!);
  });
}

/**
 * `PATCH /withdrawals/{id}/mock_update_status` (sandbox): under the withdrawal's row lock, an allowed move only.
 * `success` posts the hold: amount less FX fee to clearing (it leaves the platform), FX and transaction fees to
 * fees; `failed` voids it back to available.
 */
export async function mockUpdateWithdrawalStatus(
  deps: Pick<WithdrawalDeps, 'db'>,
  ctx: TenantContext,
  id: string,
  body: MockUpdateWithdrawalBody,
): Promise<Withdrawal> {
  const { tenant } = ctx;
  assertIdPrefix(ID_PREFIXES.withdrawal, id);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const current = await withdrawalLifecycle.mustLock(tx, tenant, id);
    // Checked before the ledger moves: a refused move touches no hold.
    withdrawalLifecycle.assertMove(current, body.status);
    if (current.holdId === null) throw new Error(`withdrawal ${current.id} is ${current.status} without a hold`);

    if (body.status === 'success') {
      await settleOutbound(uow, current.holdId, outboundOf(current));
    } else {
      const voided = await voidHold(uow, current.holdId);
      // The row lock and status guard the hold: a hold resolved behind an in_progress withdrawal is a bug.
      if (!voided.ok) throw new Error(`withdrawal ${current.id}: hold ${current.holdId} could not be voided: ${voided.reason}`);
    }

    return (await withdrawalLifecycle.apply(uow, current, body.status)).presented;
  });
}

export async function getWithdrawal(deps: Pick<WithdrawalDeps, 'db'>, tenant: Tenant, id: string): Promise<Withdrawal> {
  assertIdPrefix(ID_PREFIXES.withdrawal, id);
  const [row] = await deps.db.select().from(withdrawals).where(and(tenantFilter(withdrawals, tenant), eq(withdrawals.id, id)));
  if (!row) throw errors.notFound('Withdrawal');
  return presentWithdrawal(row);
}

export async function listWithdrawals(
  deps: Pick<WithdrawalDeps, 'db'>,
  tenant: Tenant,
  query: ListWithdrawalsQuery,
): Promise<{ data: Withdrawal[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(withdrawals, tenant)];
  if (query.withdrawal_account_id !== undefined) where.push(eq(withdrawals.withdrawalAccountId, query.withdrawal_account_id.trim()));
  if (query.status !== undefined) where.push(eq(withdrawals.status, query.status));
  const page = await listPage(deps.db, withdrawals, where, pageRequest(query));
  return { data: page.rows.map(presentWithdrawal), page_meta: page.meta };
}

/** What a withdrawal takes from the balance: the balance amount (FX fee included) and the transaction fee on top. */
const outboundOf = (row: typeof withdrawals.$inferSelect): OutboundAmounts =>
  ({ currency: row.balanceCurrency, amount: row.balanceAmount, fxFee: row.fxFee, txnFee: row.txnFee });

/** The withdrawal and withdrawal account operations the routes and the operator API call, built once by the composition root. */
export function createWithdrawalService(deps: WithdrawalDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreateWithdrawalBody) => createWithdrawal(deps, ctx, body),
    list: (ctx: TenantContext, query: ListWithdrawalsQuery) => listWithdrawals(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getWithdrawal(deps, ctx.tenant, id),
    mockUpdateStatus: (ctx: TenantContext, id: string, body: MockUpdateWithdrawalBody) =>
      mockUpdateWithdrawalStatus(deps, ctx, id, body),
    listAccounts: (ctx: TenantContext, query: Parameters<typeof listWithdrawalAccounts>[2]) => listWithdrawalAccounts(deps, ctx.tenant, query),
    getAccount: (ctx: TenantContext, id: string) => getWithdrawalAccount(deps, ctx.tenant, id),
    /** The operator registers a merchant's account: in the environment `body.env`, at `ctx`'s time. */
    registerAccount: (ctx: TenantContext, body: Parameters<typeof createWithdrawalAccount>[2]) =>
      createWithdrawalAccount(deps, ctx, body),
    /** The operator's list of a merchant's accounts (both environments unless `env`), as rows. */
    listAccountsOfMerchant: (merchantId: string, env: Parameters<typeof listMerchantWithdrawalAccounts>[2], page: Parameters<typeof listMerchantWithdrawalAccounts>[3]) =>
      listMerchantWithdrawalAccounts(deps.db, merchantId, env, page),
  });
}

export type WithdrawalService = ReturnType<typeof createWithdrawalService>;
