// GET /balances: the merchant's available and pending balances per currency, read from the ledger; GET /balances/history:
// one currency's balances over time (an extension).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { jsonAmount } from '../../core/amount.js';
import { contextOf } from '../../core/auth/plugin.js';
import { isoSeconds } from '../../core/clock.js';
import { secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { MAX_BALANCE_HISTORY, type CurrencyAmount } from '../../ledger/index.js';
import type { BalanceService } from './service.js';

const BalanceList = Type.Array(Type.Object({
  currency: Type.String({ examples: ['USD'] }),
  amount: Type.Integer({ description: 'Minor units.', examples: [1000] }),
}));

const AllBalances = Type.Object({
  available: BalanceList,
  pending: BalanceList,
});

const HistoryQuery = Type.Object({
  currency: Type.String({ description: 'ISO 4217, any case.', examples: ['USD'] }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_BALANCE_HISTORY, description: `The number of latest points (default and at most ${MAX_BALANCE_HISTORY}).` })),
});

const BalanceHistory = Type.Object({
  currency: Type.String({ examples: ['USD'] }),
  data: Type.Array(Type.Object({
    at: Type.String({ format: 'date-time', description: 'When the journal was posted (the environment\'s clock).', examples: ['2026-12-06T01:02:03Z'] }),
    available: Type.Integer({ description: 'Minor units.', examples: [1000] }),
    pending: Type.Integer({ description: 'Minor units.', examples: [0] }),
    held: Type.Integer({ description: 'Minor units: reserved for payouts, refunds and withdrawals in flight.', examples: [0] }),
  })),
});

const present = (list: CurrencyAmount[]) => list.map((b) => ({ currency: b.currency, amount: jsonAmount(b.amount) }));

export const balanceRoutes: FastifyPluginAsyncTypebox<{ balances: BalanceService }> = async (app, { balances }) => {
  app.get('/balances', {
    schema: {
      tags: ['Balance'], operationId: 'getBalance', summary: 'Retrieve balances', security: secretKeySecurity,
      description: 'Available and pending balances for every currency the merchant holds, from the ledger. Funds held for a payout or refund in flight are in neither.',
      response: { 200: AllBalances, ...standardErrors },
    },
  }, async (request) => {
    const { available, pending } = await balances.get(contextOf(request));
    return { available: present(available), pending: present(pending) };
  });

  app.get('/balances/history', {
    schema: {
      tags: ['Balance'], operationId: 'getBalanceHistory', summary: 'Balance history of one currency', security: secretKeySecurity,
      description: 'An extension (Glomo has no such operation): the available, pending and held balances in one currency right after each of the last journals that moved them, oldest first, read from the ledger. The last point is the current balance; no point when the currency was never held. What the dashboard charts.',
      querystring: HistoryQuery,
      response: { 200: BalanceHistory, ...standardErrors },
    },
  }, async (request) => {
    const { currency, points } = await balances.history(contextOf(request), request.query);
    return {
      currency,
      data: points.map((p) => ({ at: isoSeconds(p.at), available: jsonAmount(p.available), pending: jsonAmount(p.pending), held: jsonAmount(p.held) })),
    };
  });
};
