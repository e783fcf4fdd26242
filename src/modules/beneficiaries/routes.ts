// Beneficiaries v2 (/api/v2/beneficiaries): create, list, retrieve and the sandbox review.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, sandboxOnly } from '../../core/auth/plugin.js';
import { ErrorBody, IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { BeneficiaryV2, BeneficiaryV2List, CreateBeneficiaryV2Body, ListBeneficiariesV2Query, MockReviewBody } from './schemas.js';
import type { BeneficiaryService } from './service.js';

export const beneficiaryV2Routes: FastifyPluginAsyncTypebox<{ beneficiaries: BeneficiaryService }> = async (app, { beneficiaries }) => {
  const tags = ['beneficiary_v2'];

  app.post('/beneficiaries', {
    schema: {
      tags, operationId: 'createBeneficiaryV2', summary: 'Create a Beneficiary', security: secretKeySecurity,
      description: 'Starts `active`, or `pending` when the merchant has beneficiary review enabled. 422 for a bank account ' +
        'the merchant already has, and for notes the merchant requires.',
      body: CreateBeneficiaryV2Body,
      response: { 201: BeneficiaryV2, ...standardErrors, 422: ErrorBody },
    },
  }, async (request, reply) => reply.status(201).send(await beneficiaries.createV2(contextOf(request), request.body)));

  app.get('/beneficiaries', {
    schema: {
      tags, operationId: 'listBeneficiariesV2', summary: 'List Beneficiaries', description: 'Lists the environment\'s v2 beneficiaries, newest first, a page at a time, with their status.', security: secretKeySecurity,
      querystring: ListBeneficiariesV2Query,
      response: { 200: BeneficiaryV2List, ...standardErrors },
    },
  }, async (request) => beneficiaries.listV2(contextOf(request), request.query));

  app.get('/beneficiaries/:id', {
    schema: {
      tags, operationId: 'getBeneficiaryByIdV2', summary: 'Get a Beneficiary', description: 'Answers one v2 beneficiary by id with its bank details (account number masked), status and review outcome.', security: secretKeySecurity,
      params: IdParams('bene_698c0615XZocZ'),
      response: { 200: BeneficiaryV2, ...standardErrors },
    },
  }, async (request) => beneficiaries.getV2(contextOf(request), request.params.id));

  app.patch('/beneficiaries/:id/mock-review', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'mockReviewBeneficiaryV2', summary: 'Mock review a beneficiary', security: secretKeySecurity,
      description: 'Sandbox only (a production key gets 404). A `pending` beneficiary goes `active` (approve) or ' +
        '`rejected` (reject) and the `beneficiary` event of its new status is sent; any other status answers 422.',
      params: IdParams('bene_698c0615XZocZ'),
      body: MockReviewBody,
      response: { 200: BeneficiaryV2, ...standardErrors, 422: ErrorBody },
    },
  }, async (request) => beneficiaries.mockReview(contextOf(request), request.params.id, request.body));
};
