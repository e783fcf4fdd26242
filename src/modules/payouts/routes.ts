import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { contextOf, sandboxOnly } from '../../core/auth/plugin.js';
import { ErrorBody, IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { UpdateRfiBody } from '../rfis/service.js';
import { CancelPayoutBody, CreatePayoutBody, ListPayoutsQuery, MockPayoutBody, Payout, PayoutList } from './schemas.js';
import type { PayoutService } from './service.js';

export const payoutRoutes: FastifyPluginAsyncTypebox<{ payouts: PayoutService }> = async (app, { payouts }) => {
  const tags = ['Payout'];
  const params = IdParams('payout_6a8fd80eo6coZ');

  app.post('/payouts', {
    schema: {
      tags, operationId: 'createPayout', summary: 'Create a payout', security: secretKeySecurity,
      description: 'Without `quote_id`: `source_currency`, `destination_currency` and one of `source_amount` / `destination_amount`, ' +
        'with an optional `payment_rail` (default swift). With `quote_id`: the quote fixes currencies, amounts, fees and rail. ' +
        'The beneficiary must be active. Source amount + transaction fee are held on the available balance ' +
        '(400 `INSUFFICIENT_BALANCE` with the shortfall otherwise); a repeated `request_id` answers 409.',
      body: CreatePayoutBody,
      response: { 201: Payout, 409: ErrorBody, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await payouts.create(contextOf(request), request.body)));

  app.get('/payouts', {
    schema: {
      tags, operationId: 'getPayouts', summary: 'List all payouts', description: 'Lists the environment\'s payouts, newest first, a page at a time; `status`, `beneficiary_id`, `request_id`, `before` and `after` narrow the list.', security: secretKeySecurity,
      querystring: ListPayoutsQuery,
      response: { 200: PayoutList, ...standardErrors },
    },
  }, async (request) => payouts.list(contextOf(request), request.query));

  // Before /payouts/:id, which would otherwise take `mock` for an id.
  app.patch('/payouts/mock', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'mockUpdatePayoutStatus', summary: 'Mock a payout status change', security: secretKeySecurity,
      description: 'Sandbox only (a production key gets 404). Legal transitions only, else 400 `State change not allowed`: ' +
        '`pending` releases a pending_approval, queued or under-review payout (funds held, reads `in_progress`); `success` / ' +
        '`failed` finish a processing payout (hold posted with a UTR, or released); `action_required` from pending_approval, ' +
        'queued or under review; `cancelled` as the cancel operation.',
      body: MockPayoutBody,
      response: { 200: Payout, ...standardErrors },
    },
  }, async (request) => payouts.mockStatus(contextOf(request), request.body));

  app.get('/payouts/:id', {
    schema: {
      tags, operationId: 'getPayoutById', summary: 'Retrieve a payout', description: 'Answers one payout by id with its amounts, rate, fee, documents, status and failure reason.', security: secretKeySecurity,
      params, response: { 200: Payout, ...standardErrors },
    },
  }, async (request) => payouts.get(contextOf(request), request.params.id));

  app.patch('/payouts/:id/cancel', {
    // The body is optional: a PATCH without one means `{}` (Fastify would validate the absent body as required).
    preValidation: async (request) => {
      if (request.body === undefined || request.body === null) request.body = {};
    },
    schema: {
      tags, operationId: 'cancelPayout', summary: 'Cancel a payout', security: secretKeySecurity,
      description: 'Before the payout reaches the bank: pending_approval, queued, action_required, or in_progress under review. ' +
        'Anything held is released. Otherwise 400 `Payout cannot be cancelled in its current state`.',
      params, body: Type.Optional(CancelPayoutBody),
      response: { 200: Payout, ...standardErrors },
    },
  }, async (request) => payouts.cancel(contextOf(request), request.params.id));

  app.patch('/payouts/:id/update_rfi', {
    schema: {
      tags, operationId: 'updateRfiPayout', summary: 'Answer a payout RFI', security: secretKeySecurity,
      description: 'Documents for an `action_required` payout, which goes back under review (`in_progress`, nothing held).',
      params, body: UpdateRfiBody,
      response: { 200: Payout, ...standardErrors },
    },
  }, async (request) => payouts.updateRfi(contextOf(request), request.params.id, request.body));
};
