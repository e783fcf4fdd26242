import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sandboxOnly, tenantOf } from '../../core/auth/plugin.js';
import { ErrorBody, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { AdvanceClockBody, ClockAdvance, SandboxClock } from './schemas.js';
import type { SandboxClockService } from './service.js';

export const sandboxClockRoutes: FastifyPluginAsyncTypebox<{ clocks: SandboxClockService }> = async (app, { clocks }) => {
  const tags = ['Sandbox'];

  app.get('/sandbox/clock', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'getSandboxClock', summary: "The sandbox environment's test clock", security: secretKeySecurity,
      description: 'Sandbox only (404 with a production key). Every time this environment reads — `created_at`, ids, ' +
        'expiries, quote lifetimes, scheduled work — comes from this clock, which runs with real time plus `offset_seconds`.',
      response: { 200: SandboxClock, ...standardErrors },
    },
  }, async (request) => clocks.show(tenantOf(request)));

  app.post('/sandbox/clock/advance', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'advanceSandboxClock', summary: "Move the sandbox environment's test clock forward", security: secretKeySecurity,
      description: 'Sandbox only (404 with a production key). `{"seconds": N}` or `{"to": "<ISO-8601>"}`: forward only, ' +
        'at most 5 years per call. Answers after everything that became due on the way has run, in time order and each ' +
        'at its own time (order and payment-link expiry, payout queue releases and QUEUE_EXPIRED, the sandbox rail, ' +
        'webhook deliveries and their retries), with the count of what ran by kind. Two advances of one environment run ' +
        'one after the other; 409 `CLOCK_BUSY` if the other has not finished within two minutes.',
      body: AdvanceClockBody,
      response: { 200: ClockAdvance, ...standardErrors, 409: ErrorBody },
    },
  }, async (request) => clocks.advance(tenantOf(request), request.body));
};
