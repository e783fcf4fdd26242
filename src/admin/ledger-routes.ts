// The operator API's ledger routes: manual adjustments of a merchant's available balance and the invariant check.
import { tenantContext } from '../core/tenant-clock.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../deps.js';
import { jsonAmount, PositiveAmount } from '../core/amount.js';
import { isoSeconds } from '../core/clock.js';
import { errors } from '../core/errors.js';
import { IdParams, withoutNulls } from '../core/http-schemas.js';
import { adminErrors, adminSecurity } from './schemas.js';
import { normalizeCurrency } from '../core/iso.js';
import { ListOf, PaginationQuery, pageRequest } from '../core/pagination.js';
import { ENVIRONMENTS } from '../db/schema/index.js';
import { adjustBalance, listAdjustments, verifyLedger, type Adjustment, type LedgerReport } from '../ledger/index.js';
import type { Merchant } from '../modules/merchants/service.js';

const EnvField = Type.Enum([...ENVIRONMENTS]);

const AdjustmentRequest = Type.Object(
  {
    env: Type.Optional(Type.Enum([...ENVIRONMENTS], { default: 'sandbox', description: 'The ledger to adjust (default sandbox).' })),
    direction: Type.Enum(['credit', 'debit'], { description: 'credit adds to the available balance, debit takes from it.' }),
    currency: Type.String({ format: 'iso-4217', description: 'ISO 4217 code, any case.', examples: ['USD'] }),
    amount: PositiveAmount({
      description: 'Minor units of the currency (cents for USD): 100000 is USD 1,000.00.',
      examples: [100000],
    }),
    reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why: kept with the adjustment and as the journal memo.' }),
  },
  { additionalProperties: false },
);

const AdjustmentJson = Type.Object({
  id: Type.String({ examples: ['adj_68c777fcaB3xQ9kLmN2pR4sT'] }),
  merchant_id: Type.String(),
  env: EnvField,
  direction: Type.Enum(['credit', 'debit']),
  currency: Type.String(),
  amount: Type.Integer({ description: 'Minor units, always positive; the direction says which way it moved.' }),
  reason: Type.String(),
  journal_id: Type.String({ description: 'The ledger journal that moved the money.' }),
  created_at: Type.String({ format: 'date-time' }),
});

const LedgerProblemJson = Type.Object({
  check: Type.String({
    description:
      'journal_unbalanced, currency_unbalanced, balance_mismatch, negative_balance, hold_resolved_twice, hold_state_mismatch, held_balance_mismatch or cross_tenant_journal.',
  }),
  detail: Type.String(),
  merchant_id: Type.Optional(Type.String()),
  env: Type.Optional(Type.String()),
  currency: Type.Optional(Type.String()),
  account_id: Type.Optional(Type.String()),
  purpose: Type.Optional(Type.String()),
  journal_id: Type.Optional(Type.String()),
  hold_id: Type.Optional(Type.String()),
});

const LedgerReportJson = Type.Object({
  ok: Type.Boolean({ description: 'false when any invariant fails; the answer is still 200.' }),
  scope: Type.Object({ merchant_id: Type.Union([Type.String(), Type.Null()]) }),
  counts: Type.Object({ accounts: Type.Integer(), journals: Type.Integer(), entries: Type.Integer(), holds: Type.Integer() }),
  problems: Type.Array(LedgerProblemJson),
});

export function presentAdjustment(adjustment: Adjustment) {
  return {
    id: adjustment.id,
    merchant_id: adjustment.merchantId,
    env: adjustment.env,
    direction: adjustment.direction,
    currency: adjustment.currency,
    amount: jsonAmount(adjustment.amount),
    reason: adjustment.reason,
    journal_id: adjustment.journalId,
    created_at: isoSeconds(adjustment.createdAt),
  };
}

/** The ledger's report in the API's snake_case; fields a problem does not have are left out. */
export function presentLedgerReport(report: LedgerReport) {
  return {
    ok: report.ok,
    scope: { merchant_id: report.scope.merchantId },
    counts: { ...report.counts },
    problems: report.problems.map((problem) =>
      withoutNulls({
        check: problem.check,
        detail: problem.detail,
        merchant_id: problem.merchantId,
        env: problem.env,
        currency: problem.currency,
        account_id: problem.accountId,
        purpose: problem.purpose,
        journal_id: problem.journalId,
        hold_id: problem.holdId,
      }),
    ),
  };
}

export interface LedgerRoutesOptions {
  deps: AppDeps;
  /** The merchant of a path or query id: 400 for another id prefix, 404 when there is none. */
  existingMerchant(id: string): Promise<Merchant>;
}

export const adminLedgerRoutes: FastifyPluginAsyncTypebox<LedgerRoutesOptions> = async (app, { deps, existingMerchant }) => {
  const db = deps.database.db;
  const tags = ['admin'];

  app.post('/merchants/:id/adjustments', {
    schema: {
      tags, summary: "Credit or debit a merchant's available balance, with a reason", description: 'Operator: posts a balanced journal that credits or debits the merchant\'s available balance in one currency, with a reason kept for audit; a debit never overdraws.', security: adminSecurity,
      params: IdParams('merch_68c777fcOOMpl'), body: AdjustmentRequest, response: { 201: AdjustmentJson, ...adminErrors },
    },
  }, async (request, reply) => {
    const merchant = await existingMerchant(request.params.id);
    const body = request.body;
    // The schema's format accepts exactly what normalizeCurrency knows; this only turns `usd` into `USD`.
    const currency = normalizeCurrency(body.currency);
    if (!currency) throw errors.validation('Currency must be a valid ISO 4217 currency code (e.g., USD)');
    const reason = body.reason.trim();
    if (reason === '') throw errors.blank('reason');
    const { tenant, clock } = await tenantContext(db, deps.clock, { merchantId: merchant.id, env: body.env ?? 'sandbox' });
    const adjustment = await db.transaction(async (tx) => {
      const uow = { tx, clock, tenant };
      const result = await adjustBalance(uow, { direction: body.direction, currency, amount: BigInt(body.amount), reason });
      // Throwing rolls back the accounts a first debit in a new currency created: a refused debit leaves no trace.
      if (!result.ok) throw errors.insufficientBalance(result.shortfall);
      return result.adjustment;
    });
    return reply.status(201).send(presentAdjustment(adjustment));
  });

  app.get('/merchants/:id/adjustments', {
    schema: {
      tags, summary: "List a merchant's adjustments, newest first", description: 'Operator: lists the adjustments made to a merchant\'s balances, newest first, with their reason.', security: adminSecurity,
      params: IdParams('merch_68c777fcOOMpl'),
      querystring: Type.Object({ env: Type.Optional(EnvField), ...PaginationQuery }),
      response: { 200: ListOf(AdjustmentJson), ...adminErrors },
    },
  }, async (request) => {
    const merchant = await existingMerchant(request.params.id);
    const page = await listAdjustments(db, merchant.id, { env: request.query.env }, pageRequest(request.query));
    return { data: page.rows.map(presentAdjustment), page_meta: page.meta };
  });

  app.get('/ledger/verify', {
    schema: {
      tags,
      summary: "Check the ledger's invariants (the whole ledger, or one merchant's accounts)",
      description: 'Answers 200 whether or not the ledger is consistent: `ok` is false and `problems` lists what failed.',
      security: adminSecurity,
      querystring: Type.Object({ merchant_id: Type.Optional(Type.String({ examples: ['merch_68c777fcOOMpl'] })) }),
      response: { 200: LedgerReportJson, ...adminErrors },
    },
  }, async (request) => {
    const merchantId = request.query.merchant_id === undefined ? undefined : (await existingMerchant(request.query.merchant_id)).id;
    // One snapshot for every check and the counts, so concurrent journals cannot make them disagree.
    const report = await db.transaction(
      (tx) => verifyLedger(tx, merchantId === undefined ? {} : { merchantId }),
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
    return presentLedgerReport(report);
  });
};
