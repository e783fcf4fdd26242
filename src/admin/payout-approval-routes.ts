// The operator API's maker-checker routes: approve or reject a merchant's `pending_approval` payout, as the checker
// does in Glomo's dashboard (notes-payouts §13.6).
import { tenantContext } from '../core/tenant-clock.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../deps.js';
import { adminErrors, adminSecurity } from './schemas.js';
import { ENVIRONMENTS } from '../db/schema/index.js';
import type { Merchant } from '../modules/merchants/service.js';
import { Payout } from '../modules/payouts/schemas.js';
import type { PayoutService } from '../modules/payouts/service.js';

const Params = Type.Object({
  id: Type.String({ examples: ['merch_68c777fcOOMpl'] }),
  payout_id: Type.String({ examples: ['payout_6a8fd80eo6coZ'] }),
});
const Body = Type.Object({ env: Type.Enum([...ENVIRONMENTS], { description: "The payout's environment." }) }, { additionalProperties: false });

export interface PayoutApprovalRoutesOptions {
  deps: AppDeps;
  payouts: PayoutService;
  existingMerchant(id: string): Promise<Merchant>;
}

export const adminPayoutApprovalRoutes: FastifyPluginAsyncTypebox<PayoutApprovalRoutesOptions> = async (app, { deps, payouts, existingMerchant }) => {
  const tags = ['admin'];

  app.post('/merchants/:id/payouts/:payout_id/approve', {
    schema: {
      tags, summary: 'Approve a pending_approval payout (maker-checker)', security: adminSecurity,
      description: 'The payout joins the queue when the merchant has payout queueing, else it is released: source amount + fee ' +
        'held (400 INSUFFICIENT_BALANCE otherwise; it keeps waiting) and sent to the rail.',
      params: Params, body: Body, response: { 200: Payout, ...adminErrors },
    },
  }, async (request) => {
    const merchant = await existingMerchant(request.params.id);
    const ctx = await tenantContext(deps.database.db, deps.clock, { merchantId: merchant.id, env: request.body.env });
    return payouts.approve(ctx, request.params.payout_id);
  });

  app.post('/merchants/:id/payouts/:payout_id/reject', {
    schema: {
      tags, summary: 'Reject a pending_approval payout (maker-checker): it is cancelled', description: 'Operator: rejects a payout waiting for approval; it is cancelled (nothing was held while it waited).', security: adminSecurity,
      params: Params, body: Body, response: { 200: Payout, ...adminErrors },
    },
  }, async (request) => {
    const merchant = await existingMerchant(request.params.id);
    const ctx = await tenantContext(deps.database.db, deps.clock, { merchantId: merchant.id, env: request.body.env });
    return payouts.reject(ctx, request.params.payout_id);
  });
};
