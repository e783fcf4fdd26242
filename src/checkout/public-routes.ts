// The publishable-key API under /api/public/v1: what the checkout pages and mobile SDKs read about an order
// (notes-payins §1.1, §7.1). Only what the paying customer may see leaves here; the response schema is the allow-list.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { ErrorBody, IdParams } from '../core/http-schemas.js';
import { publishableKeyAuth } from './publishable-auth.js';
import { PublicOrder } from './schemas.js';

export const publicCheckoutRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps; services: Services }> = async (app, { deps, services }) => {
  const auth = publishableKeyAuth(deps);
  app.addHook('onRequest', auth.onRequest);

  app.get('/order/:id', {
    schema: {
      tags: ['Checkout'], operationId: 'getPublicOrder', summary: 'Retrieve an order for checkout',
      description: 'Authenticated by a publishable key (`Authorization: Bearer test_…` in sandbox, `live_…` in ' +
        'production); secret keys are refused. Answers only what the paying customer may see. Any id that is not ' +
        "an order of the key's merchant and environment answers 404 `Order not found`.",
      params: IdParams('order_678a4c88hpAjf'),
      response: { 200: PublicOrder, 401: ErrorBody, 404: ErrorBody, 429: ErrorBody },
    },
  }, async (request) => services.checkout.publicOrder(auth.contextOf(request), request.params.id));
};
