// Beneficiaries v1 (legacy, /api/v1/beneficiaries): the flat 2025 shape over the same rows as v2.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { BeneficiaryV1, BeneficiaryV1List, CreateBeneficiaryV1Body, ListBeneficiariesV1Query } from './schemas.js';
import type { BeneficiaryService } from './service.js';

export const beneficiaryV1Routes: FastifyPluginAsyncTypebox<{ beneficiaries: BeneficiaryService }> = async (app, { beneficiaries }) => {
  const tags = ['Beneficiary'];

  app.post('/beneficiaries', {
    schema: {
      tags, operationId: 'createBeneficiary', summary: 'Create a Beneficiary', security: secretKeySecurity,
      description: 'Legacy: creates an `active` payout beneficiary (see /api/v2/beneficiaries).',
      body: CreateBeneficiaryV1Body,
      response: { 201: BeneficiaryV1, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await beneficiaries.createV1(contextOf(request), request.body)));

  app.get('/beneficiaries', {
    schema: {
      tags, operationId: 'getBeneficiaries', summary: 'List all Beneficiaries', security: secretKeySecurity,
      description: 'Every bank-account beneficiary, also those created through v2 (UPI beneficiaries have no v1 shape).',
      querystring: ListBeneficiariesV1Query,
      response: { 200: BeneficiaryV1List, ...standardErrors },
    },
  }, async (request) => beneficiaries.listV1(contextOf(request), request.query));

  app.get('/beneficiaries/:id', {
    schema: {
      tags, operationId: 'getBeneficiaryById', summary: 'Retrieve a beneficiary', description: 'Answers one v1 beneficiary by id with its bank details (account number masked) and status.', security: secretKeySecurity,
      params: IdParams('bene_698c0615XZocZ'),
      response: { 200: BeneficiaryV1, ...standardErrors },
    },
  }, async (request) => beneficiaries.getV1(contextOf(request), request.params.id));
};
