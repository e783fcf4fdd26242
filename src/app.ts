// buildApp(deps): the Fastify instance with its plugins and routes. Tests call it and use inject().
import swagger from '@fastify/swagger';
import scalar from '@scalar/fastify-api-reference';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { hasAdminToken, requireAdminToken, requireSecretKey } from './core/auth/plugin.js';
import { ApiError, errors } from './core/errors.js';
import { randomBase62 } from './core/ids.js';
import { registerRateLimit } from './core/rate-limit.js';
import { refuseUnstorableText } from './core/text-guard.js';
import { transportOptions } from './core/transport.js';
import { validationErrorToApiError, validatorCompiler } from './core/validation.js';
import type { Config } from './config.js';
import type { AppDeps } from './deps.js';
import { adminRoutes } from './admin/routes.js';
import { authenticationPageRoutes } from './checkout/authentication-page.js';
import { checkoutPageRoutes } from './checkout/page-routes.js';
import { checkoutPaymentRoutes } from './checkout/payment-routes.js';
import { checkoutSdkRoutes } from './checkout/sdk-routes.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { publicCheckoutRoutes } from './checkout/public-routes.js';
import { paymentLinkPageRoutes } from './checkout/payment-link-page-routes.js';
import { paymentLinkPublicRoutes } from './checkout/payment-link-routes.js';
import { subscriptionPageRoutes } from './checkout/subscription-page-routes.js';
import { shapeLikeGlomo } from './api-docs/document.js';
import { apiIntroduction } from './api-docs/introduction.js';
import { httpRequestDuration, httpRequests } from './core/metrics.js';
import { metricsRoutes } from './metrics-routes.js';
import { subscriptionPublicRoutes } from './checkout/subscription-routes.js';
import { healthRoutes } from './health.js';
import { wellKnownRoutes } from './modules/mcp-credentials/well-known-routes.js';
import { composeServices, modules, type Services } from './composition.js';
import type { RouteScope } from './modules/manifest.js';

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

/** Fastify's trustProxy from TRUST_PROXY: a hop count becomes proxy-addr's "trust the first n hops". */
function trustProxyOption(setting: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
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
    // request.ip (the rate limit's key) from X-Forwarded-For only behind the proxies TRUST_PROXY names.
    trustProxy: trustProxyOption(deps.config.trustProxy),
    // Request, headers and keep-alive timeouts, and 408/431/400 in the error shape (core/transport).
    ...transportOptions(deps.config),
    // Our own 503 while closing (below), in the error shape: Fastify's would be {error, message, statusCode}.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // The API takes JSON (and multipart on /document): any other body type answers 415. A JSON body that is empty (a
  // bodiless PATCH or POST sent with content-type: application/json) is {}: the route's schema then says what is missing.
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, {});
    return parseJson(request, text, done);
  });
  const services = composeServices(deps, {
    onJobError: (error, job) => app.log.warn({ err: error, job: job && { id: String(job.id), queue: job.queue, attempt: job.attempt } }, 'job failed'),
    log: app.log,
  });
  app.decorate('services', services);
  app.decorateRequest('apiKey', null);
  app.decorateRequest('tenantContext', null);

  // A request that reaches a draining process (on a kept-alive connection; the listener is closed) answers 503 and
  // closes its connection, so the client retries elsewhere; the requests already in flight finish (decision 0023).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    // Serialized as it is, whatever the route's own 503 schema says (GET /health has one of its own).
    return reply.code(503).header('connection', 'close').type('application/json; charset=utf-8')
      .serializer(JSON.stringify).send(errors.shuttingDown().toBody());
  });

  // First of the root hooks after that one, so it runs before every scope's own (the secret-key check reads the database): over
  // RATE_LIMIT_PER_MINUTE per client IP answers 429. Not counted: the health check (load balancers probe it; routes
  // with `config: {rateLimit: false}`) and requests with the operator token (decisions/0022).
  const operator = deps.config.adminToken ? hasAdminToken(deps.config.adminToken) : undefined;
  await registerRateLimit(app, {
    perMinute: deps.config.rateLimitPerMinute,
    exempt: (request) => operator !== undefined && request.url.startsWith('/admin/v1/') && operator(request),
  });

  // On the root, so every scope inherits it: text the database cannot store answers 400 before any handler runs.
  app.addHook('preValidation', refuseUnstorableText);
  // Every answer counted by route pattern and status, and timed (/metrics).
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    httpRequestDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
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
        description: apiIntroduction(deps.config.publicUrl, deps.config.webhookTimeoutMs),
      },
      components: {
        securitySchemes: {
          JWT: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A merchant secret key.' },
          AdminToken: { type: 'http', scheme: 'bearer', description: 'The operator token (ADMIN_TOKEN).' },
        },
      },
    },
    // Shaped like Glomo's document: servers ending in /api/v1, relative paths, the secret key the default (decision 0042).
    transformObject: (document) =>
      shapeLikeGlomo(('openapiObject' in document ? document.openapiObject : document.swaggerObject) as Record<string, unknown>, deps.config.publicUrl),
  });
  // Self-contained: no web fonts, no AI agent, no telemetry (each would call Scalar's hosted services).
  await app.register(scalar, {
    routePrefix: '/docs',
    configuration: {
      url: '/openapi.json', withDefaultFonts: false, telemetry: false, agent: { disabled: true },
      // The secret key's field is the one shown: every merchant operation takes it.
      authentication: { preferredSecurityScheme: 'JWT' },
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { database: deps.database });
  // The key ring's public keys, for glomo-mcp-server and any verifier of this server's JWTs (decision 0036).
  await app.register(wellKnownRoutes, { keyRing: deps.keyRing });

  /** Every manifest's route plugins of one scope, in the order of the manifests. */
  const registerModuleRoutes = async (scope: RouteScope, instance: FastifyInstance) => {
    for (const module of modules) {
      for (const route of module.routes ?? []) {
        if (route.scope === scope) await instance.register(route.plugin, route.options(services));
      }
    }
  };

  await app.register(async (api) => {
    api.addHook('onRequest', requireSecretKey(deps));
    await registerModuleRoutes('v1', api);
  }, { prefix: '/api/v1' });

  // The v2 operations (beneficiaries): the same secret-key authentication as /api/v1.
  await app.register(async (api) => {
    api.addHook('onRequest', requireSecretKey(deps));
    await registerModuleRoutes('v2', api);
  }, { prefix: '/api/v2' });

  // Publishable-key routes for the checkout pages and SDKs: their own scope, never behind the secret-key hook.
  await app.register(async (publicApi) => {
    await registerModuleRoutes('public', publicApi);
    await publicApi.register(publicCheckoutRoutes, { deps, services });
    await publicApi.register(checkoutPaymentRoutes, { deps, services });
    // The subscription page's routes take no key at all: the link's subscription id finds its tenant.
    await publicApi.register(subscriptionPublicRoutes, { deps, services });
    // So do the payment link page's: the link's id finds its tenant (decision 0037).
    await publicApi.register(paymentLinkPublicRoutes, { deps, services });
  }, { prefix: '/api/public/v1' });
  // The hosted checkout page and its assets (HTML, not API operations: hidden from /openapi.json).
  await app.register(checkoutPageRoutes, { deps });
  // Glomo's SDKs: the web SDK's drop-in module and the mobile SDKs' /checkout?orderId=… URL (decision 0038).
  await app.register(checkoutSdkRoutes, { deps, services });
  // The card authentication page of server-to-server payments (next_steps.redirect_url).
  await app.register(authenticationPageRoutes, { deps, services });
  // The hosted subscription page, where subscription_link_url points.
  await app.register(subscriptionPageRoutes, { deps, services });
  // The hosted payment link page, where a link's payment_link points.
  await app.register(paymentLinkPageRoutes, { deps, services });
  // The merchant dashboard (decision 0040): one page whose code calls /api/v1 (and /admin/v1 to sign an operator in).
  await app.register(dashboardRoutes);

  if (deps.config.adminToken) {
    const adminToken = deps.config.adminToken;
    await app.register(async (admin) => {
      admin.addHook('onRequest', requireAdminToken(adminToken));
      await admin.register(adminRoutes, { deps, services });
    }, { prefix: '/admin/v1' });
    // Prometheus metrics, for the operator's scraper.
    await app.register(metricsRoutes, { deps, adminToken });
  }

  await app.ready();
  return app as unknown as App;
}

