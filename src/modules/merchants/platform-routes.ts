// A platform's child merchants (notes-payouts §21): onboard, retrieve, list (an extension) and the sandbox's review.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, sandboxOnly } from '../../core/auth/plugin.js';
import { secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import {
  CreateMerchantBody, ListPlatformMerchantsQuery, MerchantCreateResponse, MerchantIdParams, OnboardingStatusBody,
  OnboardingStatusResponse, PlatformMerchant, PlatformMerchantList,
} from './platform-schemas.js';
import { MERCHANT_CREATED_MESSAGE, MERCHANT_STATUS_MESSAGE, type PlatformService } from './platform.js';

export const platformRoutes: FastifyPluginAsyncTypebox<{ platform: PlatformService }> = async (app, { platform }) => {
  const tags = ['platform'];
  const onlyPlatforms = 'Only a platform\'s keys (the operator\'s is_platform): any other key answers 401 `Invalid or missing authentication token`.';

  app.post('/platform/merchants', {
    schema: {
      tags, operationId: 'onboardMerchant', summary: 'Onboard a merchant', security: secretKeySecurity,
      description: `${onlyPlatforms} A child merchant under the caller in the key's environment, \`pending\` until reviewed, ` +
        'with its own secret key (`jwt_token`) and publishable key for that environment, shown here only. Records `merchant`/`pending` for the platform.',
      body: CreateMerchantBody,
      response: { 201: MerchantCreateResponse, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send({
    message: MERCHANT_CREATED_MESSAGE, data: await platform.onboard(contextOf(request), request.body),
  }));

  app.get('/platform/merchants', {
    schema: {
      tags, operationId: 'listPlatformMerchants', summary: 'List your child merchants', security: secretKeySecurity,
      description: `${onlyPlatforms} An extension: the caller's children in the key's environment, newest first (decision 0035).`,
      querystring: ListPlatformMerchantsQuery,
      response: { 200: PlatformMerchantList, ...standardErrors },
    },
  }, async (request) => platform.list(contextOf(request), request.query));

  // Before the :merchant_id route's PATCH-less path: a static segment, so no ambiguity with a merchant id.
  app.patch('/platform/merchants/status-update', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'updateMerchantStatus', summary: 'Mock a child merchant\'s onboarding review', security: secretKeySecurity,
      description: `Sandbox only (a production key gets 404). ${onlyPlatforms} Moves a \`pending\` child to \`success\` or ` +
        '`failed` (400 otherwise) and records the `merchant` event of that status for the platform.',
      body: OnboardingStatusBody,
      response: { 200: OnboardingStatusResponse, ...standardErrors },
    },
  }, async (request) => ({ message: MERCHANT_STATUS_MESSAGE, data: await platform.updateStatus(contextOf(request), request.body) }));

  app.get('/platform/merchants/:merchant_id', {
    schema: {
      tags, operationId: 'getMerchant', summary: 'Retrieve a child merchant', security: secretKeySecurity,
      description: `${onlyPlatforms} Only the caller's own children of the key's environment (404 otherwise); no keys are shown.`,
      params: MerchantIdParams,
      response: { 200: PlatformMerchant, ...standardErrors },
    },
  }, async (request) => platform.get(contextOf(request), request.params.merchant_id));
};
