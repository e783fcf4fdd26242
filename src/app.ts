// buildApp(deps): the Fastify instance with its plugins and routes. Tests call it and use inject().
import swagger from '@fastify/swagger';
import scalar from '@scalar/fastify-api-reference';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { requireAdminToken, requireSecretKey } from './core/auth/plugin.js';
import { ApiError, errors } from './core/errors.js';
import { randomBase62 } from './core/ids.js';
import { validationErrorToApiError, validatorCompiler } from './core/validation.js';
import type { AppDeps } from './deps.js';
import { adminRoutes } from './admin/routes.js';
import { checkoutPageRoutes } from './checkout/page-routes.js';
import { checkoutPaymentRoutes } from './checkout/payment-routes.js';
import { publicCheckoutRoutes } from './checkout/public-routes.js';
import { apiKeyRoutes } from './modules/api-keys/routes.js';
import { customerRoutes } from './modules/customers/routes.js';
import { documentRoutes } from './modules/documents/routes.js';
import { healthRoutes } from './health.js';
import { balanceConversionRoutes } from './modules/balance-conversions/routes.js';
import { balanceRoutes } from './modules/balances/routes.js';
import { bankAccountValidationRoutes } from './modules/bank-account-validation/routes.js';
import { beneficiaryV2Routes } from './modules/beneficiaries/routes.js';
import { beneficiaryV1Routes } from './modules/beneficiaries/v1-routes.js';
import { orderRoutes } from './modules/orders/routes.js';
import { paymentLinkRoutes } from './modules/payment-links/routes.js';
import { paymentRfiRoutes } from './modules/payments/rfi-routes.js';
import { paymentRoutes } from './modules/payments/routes.js';
import { payoutRoutes } from './modules/payouts/routes.js';
import { refundRoutes } from './modules/refunds/routes.js';
import { quoteRoutes } from './modules/quotes/routes.js';
import { priceRoutes } from './modules/prices/routes.js';
import { withdrawalRoutes } from './modules/withdrawals/routes.js';
import { rfiRoutes } from './modules/rfis/routes.js';
import { sandboxClockRoutes } from './modules/sandbox-clock/routes.js';
import { composeServices, type Services } from './composition.js';
import { webhookEventRoutes } from './webhooks/events/routes.js';
import { webhookEndpointRoutes } from './webhooks/endpoints/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The composition root's services (composition.ts). */
    services: Services;
  }
}

export type App = FastifyInstance;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Maps anything thrown while handling a request to the contract's flat error body; never leaks internals. */
function toApiError(error: FastifyError, bodyLimit: number, contentType: string | undefined): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) return validationErrorToApiError(error.validation as Parameters<typeof validationErrorToApiError>[0]);
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType(contentType);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.validation('Request body must be a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.malformedJson();
  }
  if (error instanceof SyntaxError) return errors.malformedJson();
  // Framework and multipart errors below 500 carry safe, specific messages; anything else answers 500.
  return ApiError.fromFramework(error);
}

export async function buildApp(deps: AppDeps, options: { logger?: FastifyServerOptions['logger'] } = {}): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: deps.config.bodyLimitBytes,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `req_${randomBase62(16)}`;
    },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // The API takes JSON (and multipart on /document): any other body type answers 415.
  app.removeContentTypeParser('text/plain');
  const services = composeServices(deps, {
    onJobError: (error, job) => app.log.warn({ err: error, job: job && { id: String(job.id), queue: job.queue, attempt: job.attempt } }, 'job failed'),
  });
  app.decorate('services', services);
  app.decorateRequest('apiKey', null);
  app.decorateRequest('tenantContext', null);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = toApiError(error, deps.config.bodyLimitBytes, request.headers['content-type']);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(apiError.statusCode).type('application/json; charset=utf-8').send(apiError.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const apiError = errors.routeNotFound(request.method, request.url);
    return reply.status(404).send(apiError.toBody());
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'glomo-server',
        version: '0.1.0',
        description: 'A self-hostable implementation of the Glomo cross-border payments API.',
      },
      components: {
        securitySchemes: {
          JWT: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A merchant secret key.' },
          AdminToken: { type: 'http', scheme: 'bearer', description: 'The operator token (ADMIN_TOKEN).' },
        },
      },
    },
  });
  await app.register(scalar, { routePrefix: '/docs', configuration: { url: '/openapi.json' } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { database: deps.database });

  await app.register(async (api) => {
    api.addHook('onRequest', requireSecretKey(deps));
    await api.register(customerRoutes, { deps });
    await api.register(documentRoutes, { deps });
    await api.register(apiKeyRoutes, { deps });
    await api.register(balanceRoutes, { deps });
    await api.register(balanceConversionRoutes, { deps });
    await api.register(quoteRoutes, { deps });
    await api.register(orderRoutes, { deps });
    await api.register(paymentLinkRoutes, { deps });
    await api.register(paymentRoutes, { deps });
    await api.register(paymentRfiRoutes, { deps });
    await api.register(refundRoutes, { deps });
    await api.register(payoutRoutes, { deps });
    await api.register(rfiRoutes, { deps });
    await api.register(priceRoutes, { deps });
    await api.register(webhookEventRoutes, { deps });
    await api.register(webhookEndpointRoutes, { deps });
    await api.register(beneficiaryV1Routes, { deps });
    await api.register(bankAccountValidationRoutes, { deps });
    await api.register(withdrawalRoutes, { deps });
    await api.register(sandboxClockRoutes, { clocks: services.clocks });
  }, { prefix: '/api/v1' });

  // The v2 operations (beneficiaries): the same secret-key authentication as /api/v1.
  await app.register(async (api) => {
    api.addHook('onRequest', requireSecretKey(deps));
    await api.register(beneficiaryV2Routes, { deps });
  }, { prefix: '/api/v2' });

  // Publishable-key routes for the checkout pages and SDKs: their own scope, never behind the secret-key hook.
  await app.register(async (publicApi) => {
    await publicApi.register(publicCheckoutRoutes, { deps });
    await publicApi.register(checkoutPaymentRoutes, { deps });
  }, { prefix: '/api/public/v1' });
  // The hosted checkout page and its assets (HTML, not API operations: hidden from /openapi.json).
  await app.register(checkoutPageRoutes, { deps });

  if (deps.config.adminToken) {
    const adminToken = deps.config.adminToken;
    await app.register(async (admin) => {
      admin.addHook('onRequest', requireAdminToken(adminToken));
      await admin.register(adminRoutes, { deps, clocks: services.clocks });
    }, { prefix: '/admin/v1' });
  }

  await app.ready();
  return app as unknown as App;
}

