// `POST /api/v1/payment` (operationId createPayment): server-to-server payments (s2s.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { CreatePaymentBody, CreatePaymentResponse } from './schemas.js';
import type { ServerPaymentService } from './s2s.js';

export const serverPaymentRoutes: FastifyPluginAsyncTypebox<{ serverPayments: ServerPaymentService }> = async (app, { serverPayments }) => {
  app.post('/payment', {
    schema: {
      tags: ['Payment'], operationId: 'createPayment', summary: 'Create a payment (server-to-server)', security: secretKeySecurity,
      description: 'For PCI-DSS merchants that take the card themselves. Exactly one of `order_id` and `subscription_id`; ' +
        '`request_id` is required and a repeat answers 400 `Payment already exists for this request_id`. An initial payment ' +
        'sends `method: card`, the `card` and an https `callback_url`. Sandbox accepts only the test cards (notes-payins §7.5; ' +
        '400 `Card is not a valid test card`); production answers 400 `PAYMENT_METHOD_UNAVAILABLE` (no card processor). A card ' +
        'without a one-time password answers 201 with the `success` or `failed` payment. One that asks for it answers 201 with an ' +
        '`in_progress` payment and `next_steps.redirect_url`, this server\'s page where the customer enters the OTP (`123456`; any ' +
        'other code declines the card) within 15 minutes (after that the payment fails, `AUTHENTICATION_EXPIRED`); the customer ' +
        'is then sent (303) to `callback_url` with `payment_id`, `status`, `signature` (HMAC-SHA256 of `order_id|payment_id|status` ' +
        'with the secret key, notes-payins §7.4) and `order_id`. While it is in progress the order takes no other payment. ' +
        '`sequence: subsequent` with `subscription_id`, `amount` and `currency` charges an as_presented subscription.',
      body: CreatePaymentBody,
      response: { 201: CreatePaymentResponse, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await serverPayments.create(contextOf(request), request.body)));
};
