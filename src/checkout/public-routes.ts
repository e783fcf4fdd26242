// The publishable-key API under /api/public/v1: what the checkout pages and mobile SDKs read about an order
// (notes-payins §1.1, §7.1). Only what the paying customer may see leaves here; the response schema is the allow-list.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { jsonAmount } from '../core/amount.js';
import { isoSeconds } from '../core/clock.js';
import { errors } from '../core/errors.js';
import { ErrorBody, IdParams, withoutNulls } from '../core/http-schemas.js';
import { ID_PREFIXES } from '../core/ids.js';
import { OrderStatus, PaymentMethod } from '../modules/orders/schemas.js';
import type { OrderRow } from '../modules/orders/service.js';
import { payinOfOrder } from '../modules/payments/payins.js';
import { publishableKeyAuth } from './publishable-auth.js';

export const PublicOrder = Type.Object({
  id: Type.String({ examples: ['order_678a4c88hpAjf'] }),
  status: OrderStatus,
  amount: Type.Integer({ description: 'Minor units.', examples: [10000] }),
  currency: Type.String({ examples: ['USD'] }),
  amount_due: Type.Integer({
    description: 'What the customer pays in `currency`, in minor units: `amount` plus a fee the merchant passes on to the customer.',
    examples: [10200],
  }),
  description: Type.Optional(Type.String({ description: "The order's invoice description, when it has one." })),
  product: Type.Optional(Type.Object({
    name: Type.String(),
    description: Type.Optional(Type.String()),
  })),
  payment_methods: Type.Array(PaymentMethod, { description: 'The methods checkout may offer for this order.' }),
  merchant_name: Type.String({ description: "The merchant's display name." }),
  expires_at: Type.String({ format: 'date-time', examples: ['2025-08-06T09:36:04Z'] }),
}, { description: 'The customer-facing view of an order: no customer, document, request, quote, price or notes data.' });
export type PublicOrder = Static<typeof PublicOrder>;

function presentPublicOrder(row: OrderRow, merchantName: string, amountDue: bigint): PublicOrder {
  return withoutNulls({
    id: row.id,
    status: row.status,
    amount: jsonAmount(row.amount),
    currency: row.currency,
    amount_due: jsonAmount(amountDue),
    description: row.invoiceDescription,
    product: row.product,
    payment_methods: row.paymentMethods,
    merchant_name: merchantName,
    expires_at: isoSeconds(row.expiresAt),
  });
}

export const publicCheckoutRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps; services: Services }> = async (app, { deps, services }) => {
  const auth = publishableKeyAuth(deps);
  app.addHook('onRequest', auth.onRequest);
  const { merchants, orders, payments } = services;

  app.get('/order/:id', {
    schema: {
      tags: ['Checkout'], operationId: 'getPublicOrder', summary: 'Retrieve an order for checkout',
      description: 'Authenticated by a publishable key (`Authorization: Bearer test_…` in sandbox, `live_…` in ' +
        'production); secret keys are refused. Answers only what the paying customer may see. Any id that is not ' +
        "an order of the key's merchant and environment answers 404 `Order not found`.",
      params: IdParams('order_678a4c88hpAjf'),
      response: { 200: PublicOrder, 401: ErrorBody, 404: ErrorBody },
    },
  }, async (request) => {
    const ctx = auth.contextOf(request);
    const id = request.params.id;
    // A wrong prefix answers 404 too: this surface tells a browser nothing beyond "no such order".
    const row = id.startsWith(`${ID_PREFIXES.order}_`) ? await orders.find(ctx, id) : undefined;
    if (!row) throw errors.notFound('Order');
    const merchant = await merchants.find(ctx.tenant.merchantId);
    if (!merchant) throw errors.notFound('Order');
    // Priced by the function the payment step records with, so the page shows what will be charged.
    const due = await payments.price(ctx, payinOfOrder(row), row.currency);
    return presentPublicOrder(row, merchant.name, due.paymentAmount);
  });
};
