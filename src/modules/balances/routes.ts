// GET /balances: the merchant's available and pending balances per currency, read from the ledger.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { jsonAmount } from '../../core/amount.js';
import { contextOf } from '../../core/auth/plugin.js';
import { secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import type { CurrencyAmount } from '../../ledger/index.js';
import type { BalanceService } from './service.js';

const BalanceList = Type.Array(Type.Object({
  currency: Type.String({ examples: ['USD'] }),
  amount: Type.Integer({ description: 'Minor units.', examples: [1000] }),
}));

const AllBalances = Type.Object({
  available: BalanceList,
  pending: BalanceList,
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
};
