// The operator API's view of any merchant's sandbox test clock: the same reading and advance as the merchant's own
// /api/v1/sandbox/clock routes (src/modules/sandbox-clock).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, IdParams } from '../core/http-schemas.js';
import type { Merchant } from '../modules/merchants/service.js';
import { AdvanceClockBody, ClockAdvance, SandboxClock } from '../modules/sandbox-clock/schemas.js';
import type { SandboxClockService } from '../modules/sandbox-clock/service.js';
import { adminErrors, adminSecurity } from './schemas.js';

export interface SandboxClockRoutesOptions {
  clocks: SandboxClockService;
  existingMerchant(id: string): Promise<Merchant>;
}

export const adminSandboxClockRoutes: FastifyPluginAsyncTypebox<SandboxClockRoutesOptions> = async (app, { clocks, existingMerchant }) => {
  const tags = ['admin'];
  const params = IdParams('merch_68c777fcOOMpl');

  app.get('/merchants/:id/sandbox/clock', {
    schema: {
      tags, summary: "A merchant's sandbox test clock", description: 'Operator: answers a merchant\'s sandbox test clock (its current time and how far it is ahead of real time).', security: adminSecurity,
      params, response: { 200: SandboxClock, ...adminErrors },
    },
  }, async (request) => clocks.show({ merchantId: (await existingMerchant(request.params.id)).id, env: 'sandbox' }));

  app.post('/merchants/:id/sandbox/clock/advance', {
    schema: {
      tags, summary: "Move a merchant's sandbox test clock forward, running what becomes due", security: adminSecurity,
      description: 'As `POST /api/v1/sandbox/clock/advance` with the merchant\'s sandbox key: `{"seconds": N}` or `{"to": "<ISO-8601>"}`.',
      params, body: AdvanceClockBody, response: { 200: ClockAdvance, ...adminErrors, 409: ErrorBody },
    },
  }, async (request) => clocks.advance({ merchantId: (await existingMerchant(request.params.id)).id, env: 'sandbox' }, request.body));
};
