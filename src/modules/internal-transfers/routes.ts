import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { CreateInternalTransferBody, InternalTransfer, InternalTransferList, ListInternalTransfersQuery } from './schemas.js';
import type { InternalTransferService } from './service.js';

export const internalTransferRoutes: FastifyPluginAsyncTypebox<{ internalTransfers: InternalTransferService }> = async (app, { internalTransfers }) => {
  const tags = ['internal_transfer'];

  app.post('/internal-transfer', {
    schema: {
      tags, operationId: 'createInternalTransfer', summary: 'Create an internal transfer', security: secretKeySecurity,
      description: 'Moves `amount` of `currency` from the available balance of `from_merchant_id` to that of `to_merchant_id`, '
        + 'within one platform hierarchy in the caller\'s environment: platform to child, child to platform, or between '
        + 'children of the same platform. The caller is the platform or the paying merchant. Free of fees. Extension: '
        + '`request_id` makes a retry idempotent (a repeat answers 200 with the first transfer and moves nothing).',
      body: CreateInternalTransferBody,
      response: { 200: InternalTransfer, 201: InternalTransfer, ...standardErrors },
    },
  }, async (request, reply) => {
    const { transfer, replayed } = await internalTransfers.create(contextOf(request), request.body);
    return reply.status(replayed ? 200 : 201).send(transfer);
  });

  app.get('/internal-transfer', {
    schema: {
      tags, operationId: 'listInternalTransfers', summary: 'List internal transfers (extension)', security: secretKeySecurity,
      description: 'Newest first. A platform sees every transfer of its hierarchy; any other merchant those it paid or received.',
      querystring: ListInternalTransfersQuery,
      response: { 200: InternalTransferList, ...standardErrors },
    },
  }, async (request) => internalTransfers.list(contextOf(request), request.query));

  app.get('/internal-transfer/:id', {
    schema: {
      tags, operationId: 'getInternalTransfer', summary: 'Retrieve an internal transfer (extension)', security: secretKeySecurity,
      description: 'Found by the platform of its hierarchy and by its two parties; anyone else gets 404.',
      params: IdParams('inttransfer_68f1f9126GDCB'),
      response: { 200: InternalTransfer, ...standardErrors },
    },
  }, async (request) => internalTransfers.get(contextOf(request), request.params.id));
};
