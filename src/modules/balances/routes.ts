// GET /balances: the merchant's available and pending balances per currency, read from the ledger.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.js';
import { jsonAmount } from '../../core/amount.js';
import { tenantOf } from '../../core/auth/plugin.js';
import { secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { getBalances, type CurrencyAmount } from '../../ledger/index.js';

const BalanceList = Type.Array(Type.Object({
  currency: Type.String({ examples: ['USD'] }),
  amount: Type.Integer({ description: 'Minor units.', examples: [1000] }),
}));

const AllBalances = Type.Object({
  available: BalanceList,
  pending: BalanceList,
});

const present = (list: CurrencyAmount[]) => list.map((b) => ({ currency: b.currency, amount: jsonAmount(b.amount) }));

export const balanceRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get('/balances', {
    schema: {
      tags: ['Balance'], operationId: 'getBalance', summary: 'Retrieve balances', security: secretKeySecurity,
      description: 'Available and pending balances for every currency the merchant holds, from the ledger. Funds held for a payout or refund in flight are in neither.',
      response: { 200: AllBalances, ...standardErrors },
    },
  }, async (request) => {
    const balances = await getBalances(deps.database.db, tenantOf(request));
    return { available: present(balances.available), pending: present(balances.pending) };
  });
};
