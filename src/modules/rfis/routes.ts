// The RFI resource (`getRfis`, `getRfi`, `respondRfi`, notes-payouts §13.8): not in the contract files, so
// extensions (decision 0017).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { ListRfisQuery, RespondRfiBody, Rfi, RfiList } from './schemas.js';
import type { RfiService } from './service.js';

export const rfiRoutes: FastifyPluginAsyncTypebox<{ rfis: RfiService }> = async (app, { rfis }) => {
  const tags = ['RFI'];
  const params = IdParams('rfi_6a8fd80eo6coZ');

  app.get('/rfis', {
    schema: {
      tags, operationId: 'getRfis', summary: 'List RFIs', security: secretKeySecurity,
      description: 'Requests for information raised on the merchant\'s payouts, newest first; filters `status` and `entity_id`.',
      querystring: ListRfisQuery,
      response: { 200: RfiList, ...standardErrors },
    },
  }, async (request) => rfis.list(contextOf(request), request.query));

  app.get('/rfis/:id', {
    schema: {
      tags, operationId: 'getRfi', summary: 'Retrieve an RFI', description: 'Answers one request for information by id: what is asked, of which payin or payout, and the answers given so far.', security: secretKeySecurity,
      params, response: { 200: Rfi, ...standardErrors },
    },
  }, async (request) => rfis.get(contextOf(request), request.params.id));

  app.patch('/rfis/:id/respond', {
    schema: {
      tags, operationId: 'respondRfi', summary: 'Respond to an RFI', security: secretKeySecurity,
      description: 'One `{rfi_doc_id, doc_id}` pair per entry of `documents_required`, all in one call (each document the ' +
        'merchant\'s). The RFI goes `under_review` and its payout back under compliance review (`in_progress`, nothing held) ' +
        'with the documents attached. Only an `action_required` RFI can be answered (400 `INVALID_STATE`).',
      params, body: RespondRfiBody,
      response: { 200: Rfi, ...standardErrors },
    },
  }, async (request) => rfis.respond(contextOf(request), request.params.id, request.body));
};
