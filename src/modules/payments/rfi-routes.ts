// `PATCH /payment/{id}/update_rfi` (operation `updateRfiPayment`): its own plugin, beside the payment routes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { UpdateRfiBody } from '../rfis/service.js';
import type { PaymentRfiService } from './rfi.js';
import { Payment } from './schemas.js';

export const paymentRfiRoutes: FastifyPluginAsyncTypebox<{ paymentRfis: PaymentRfiService }> = async (app, { paymentRfis }) => {

  app.patch('/payment/:id/update_rfi', {
    schema: {
      tags: ['Payment'], operationId: 'updateRfiPayment', summary: 'Update RFI for Payment', security: secretKeySecurity,
      description: 'Attaches uploaded documents (each the merchant\'s, each id once per request; `rfi_doc_id` optional) to a ' +
        'payment held for compliance: an `action_required` payment goes `under_review` (event `payment.under_review`), one ' +
        '`under_review` takes more documents. Any other status answers 400 `INVALID_STATE`.',
      params: IdParams('payt_6819d8046mpKt'),
      body: UpdateRfiBody,
      response: { 200: Payment, ...standardErrors },
    },
  }, async (request) => paymentRfis.update(contextOf(request), request.params.id, request.body));
};
