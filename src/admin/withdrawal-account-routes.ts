// The operator API's withdrawal account routes: register a merchant's own bank account for withdrawals, and list a
// merchant's accounts. Merchants only read them (src/modules/withdrawals).
import { tenantContext } from '../core/tenant-clock.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../deps.js';
import { IdParams } from '../core/http-schemas.js';
import { adminErrors, adminSecurity } from './schemas.js';
import { ListOf, PaginationQuery, pageRequest } from '../core/pagination.js';
import { ENVIRONMENTS } from '../db/schema/index.js';
import type { Merchant } from '../modules/merchants/service.js';
import { presentWithdrawalAccount, type WithdrawalAccountRow } from '../modules/withdrawals/accounts.js';
import { CreateWithdrawalAccountBody, WithdrawalAccount } from '../modules/withdrawals/schemas.js';
import type { WithdrawalService } from '../modules/withdrawals/service.js';

const EnvField = Type.Enum([...ENVIRONMENTS]);
const AdminWithdrawalAccount = Type.Object({
  ...WithdrawalAccount.properties,
  merchant_id: Type.String({ examples: ['merch_68c777fcOOMpl'] }),
  env: EnvField,
});

const presentAdmin = (row: WithdrawalAccountRow) => ({ ...presentWithdrawalAccount(row), merchant_id: row.merchantId, env: row.env });

export interface WithdrawalAccountRoutesOptions {
  deps: AppDeps;
  withdrawals: WithdrawalService;
  /** The merchant of a path id: 400 for another id prefix, 404 when there is none. */
  existingMerchant(id: string): Promise<Merchant>;
}

export const adminWithdrawalAccountRoutes: FastifyPluginAsyncTypebox<WithdrawalAccountRoutesOptions> = async (app, { deps, withdrawals, existingMerchant }) => {
  const tags = ['admin'];

  app.post('/merchants/:id/withdrawal_accounts', {
    schema: {
      tags, summary: 'Register a withdrawal account (the merchant\'s own bank account) for one environment', description: 'Operator: registers the merchant\'s own bank account, which its withdrawals pay into, for one environment.', security: adminSecurity,
      params: IdParams('merch_68c777fcOOMpl'), body: CreateWithdrawalAccountBody, response: { 201: AdminWithdrawalAccount, ...adminErrors },
    },
  }, async (request, reply) => {
    const merchant = await existingMerchant(request.params.id);
    // The account is a row of that environment: its created_at is the environment's time (its sandbox test clock).
    const ctx = await tenantContext(deps.database.db, deps.clock, { merchantId: merchant.id, env: request.body.env });
    return reply.status(201).send(presentAdmin(await withdrawals.registerAccount(ctx, request.body)));
  });

  app.get('/merchants/:id/withdrawal_accounts', {
    schema: {
      tags, summary: "List a merchant's withdrawal accounts (both environments unless env is given), newest first", description: 'Operator: lists a merchant\'s withdrawal accounts, newest first, of both environments unless `env` is given.', security: adminSecurity,
      params: IdParams('merch_68c777fcOOMpl'),
      querystring: Type.Object({ env: Type.Optional(EnvField), ...PaginationQuery }),
      response: { 200: ListOf(AdminWithdrawalAccount), ...adminErrors },
    },
  }, async (request) => {
    const merchant = await existingMerchant(request.params.id);
    const page = await withdrawals.listAccountsOfMerchant(merchant.id, request.query.env, pageRequest(request.query));
    return { data: page.rows.map(presentAdmin), page_meta: page.meta };
  });
};
