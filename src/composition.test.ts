// The wiring: every API route belongs to a module's manifest, every job queue to exactly one module, and each
// module's services are built once and shared by whatever serves them.
import path from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from './app.js';
import { checkoutPaymentRoutes } from './checkout/payment-routes.js';
import { publicCheckoutRoutes } from './checkout/public-routes.js';
import { subscriptionPublicRoutes } from './checkout/subscription-routes.js';
import { paymentLinkPublicRoutes } from './checkout/payment-link-routes.js';
import { jobHandlers, modules } from './composition.js';
import { loadConfig } from './config.js';
import { sandboxOnly } from './core/auth/plugin.js';
import { systemClock } from './core/clock.js';
import type { JobHandler } from './core/jobs.js';
import { validatorCompiler } from './core/validation.js';
import type { AppDeps } from './deps.js';
import { DEFAULT_RATE_TABLE } from './fx/default-rates.js';
import { tableRateSource } from './fx/rates.js';
import { LocalDocumentStore } from './modules/documents/storage.js';
import { MODULES } from './modules/index.js';
import type { ModuleManifest, RouteScope } from './modules/manifest.js';
import { EVENT_CATALOGUE } from './webhooks/endpoints/service.js';
import { ADMIN_TOKEN, tempDir } from '../test/support/app.js';
import { testEnv } from '../test/support/env.js';

const PREFIXES: Record<RouteScope, string> = { v1: '/api/v1', v2: '/api/v2', public: '/api/public/v1' };

interface ProbedRoute {
  route: string;
  operationId: string | undefined;
  sandboxOnly: boolean;
}

/** `METHOD /path` of every route in Fastify's printRoutes tree (one node per line, 4 columns per level). */
function servedRoutes(tree: string): Set<string> {
  const served = new Set<string>();
  const parents: string[] = [''];
  for (const line of tree.split('\n')) {
    const at = line.indexOf('/');
    if (at < 0) continue;
    const depth = at / 4;
    const node = /^(\S+)(?: \(([^)]*)\))?$/.exec(line.slice(at));
    if (!node || !Number.isInteger(depth)) throw new Error(`unexpected printRoutes line: ${line}`);
    const full = parents[depth - 1] + node[1]!;
    parents[depth] = full;
    parents.length = depth + 1;
    for (const method of node[2]?.split(', ') ?? []) if (method !== 'HEAD') served.add(`${method} ${full}`);
  }
  return served;
}

const methodsOf = (options: RouteOptions) => [options.method].flat().filter((method) => method !== 'HEAD');
const hooksOf = (hook: unknown) => [hook].flat().filter((fn) => fn !== undefined);

/** The routes one plugin declares under a prefix, with the options it receives, in a Fastify instance of its own. */
async function probe(
  prefix: string,
  register: (instance: FastifyInstance) => Promise<unknown>,
): Promise<ProbedRoute[]> {
  const instance = Fastify({ routerOptions: { ignoreTrailingSlash: true } }).withTypeProvider<TypeBoxTypeProvider>();
  instance.setValidatorCompiler(validatorCompiler);
  const found: ProbedRoute[] = [];
  instance.addHook('onRoute', (options) => {
    for (const method of methodsOf(options)) {
      found.push({
        route: `${method} ${options.url}`,
        operationId: (options.schema as { operationId?: string } | undefined)?.operationId,
        sandboxOnly: hooksOf(options.preValidation).includes(sandboxOnly),
      });
    }
  });
  await instance.register(async (scope) => {
    await register(scope as unknown as FastifyInstance);
  }, { prefix });
  await instance.ready();
  await instance.close();
  return found;
}

describe('the composition root and the module manifests', () => {
  let deps: AppDeps;
  let app: App;
  /** Each manifest's routes, probed with the options the app hands them, and what each plugin received. */
  const routesOf = new Map<string, ProbedRoute[]>();
  const received: Array<{ module: string; options: Record<string, unknown> }> = [];

  beforeAll(async () => {
    const { database, keyRing } = await testEnv();
    const config = loadConfig({ DATA_DIR: tempDir('composition'), ADMIN_TOKEN });
    deps = {
      config, database, keyRing, clock: systemClock, fxRates: tableRateSource(DEFAULT_RATE_TABLE),
      documentStore: new LocalDocumentStore(path.join(config.dataDir, 'documents')),
    };
    app = await buildApp(deps);
    for (const module of modules) {
      const routes: ProbedRoute[] = [];
      for (const route of module.routes ?? []) {
        routes.push(...await probe(PREFIXES[route.scope], async (scope) => {
          await scope.register(async (inner, options) => {
            received.push({ module: module.name, options });
            await route.plugin(inner as never, options);
          }, route.options(app.services) as Record<string, unknown>);
        }));
      }
      routesOf.set(module.name, routes);
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  it('lists every module once, by a unique name', () => {
    const names = MODULES.map((module) => module.name);
    expect(new Set(names).size).toBe(names.length);
    expect(modules).toBe(MODULES);
  });

  it('serves under /api exactly the manifests\' routes (and the checkout\'s on the public scope)', async () => {
    const checkout = await probe(PREFIXES.public, async (scope) => {
      await scope.register(publicCheckoutRoutes, { deps, services: app.services });
      await scope.register(checkoutPaymentRoutes, { deps, services: app.services });
      await scope.register(subscriptionPublicRoutes, { deps, services: app.services });
      await scope.register(paymentLinkPublicRoutes, { deps, services: app.services });
    });
    const declared = [...routesOf.values()].flat().map((probed) => probed.route);
    // No route is declared by two manifests.
    expect(new Set(declared).size).toBe(declared.length);
    const served = [...servedRoutes(app.printRoutes({ commonPrefix: false }))].filter((route) => route.split(' ')[1]!.startsWith('/api/'));
    expect(served).toEqual(expect.arrayContaining([
      'POST /api/v1/orders', 'PATCH /api/v1/payin/:id', 'GET /api/v2/beneficiaries/:id', 'POST /api/public/v1/order/:id/payments',
    ]));
    expect(served.sort()).toEqual([...declared, ...checkout.map((probed) => probed.route)].sort());
    // The secret-key scopes hold manifest routes only.
    expect(served.filter((route) => !route.includes(' /api/public/')).sort()).toEqual(declared.filter((route) => !route.includes(' /api/public/')).sort());
  });

  it('names each module\'s sandbox-only operations in its manifest', () => {
    expect([...routesOf.values()].flat().filter((probed) => probed.sandboxOnly).length).toBeGreaterThanOrEqual(9);
    for (const module of modules) {
      const routes = routesOf.get(module.name) ?? [];
      const operationIds = routes.map((probed) => probed.operationId);
      for (const helper of module.sandboxHelpers ?? []) expect(operationIds, `${module.name}: ${helper}`).toContain(helper);
      for (const probed of routes.filter((r) => r.sandboxOnly)) {
        expect(module.sandboxHelpers ?? [], `${module.name}: ${probed.route}`).toContain(probed.operationId);
      }
    }
  });

  it('declares webhook events of the catalogue, each emitted by one module', () => {
    const events = modules.flatMap((module) => [...(module.events ?? [])]);
    expect(new Set(events).size).toBe(events.length);
    for (const event of events) expect(EVENT_CATALOGUE).toContain(event);
  });

  it('runs the job queues of the manifests, each claimed by one module', () => {
    const handlers = jobHandlers(deps, app.services);
    const claimed = modules.flatMap((module) => Object.keys(module.jobs?.(deps, app.services) ?? {}));
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(Object.keys(handlers).sort()).toEqual([...claimed].sort());
    expect(claimed).toEqual(expect.arrayContaining(['webhooks.dispatch', 'webhooks.deliver', 'orders.expire', 'payment_links.expire', 'payouts.rail']));

    const handler: JobHandler = async () => ({ status: 'done' });
    const twice: ModuleManifest[] = [
      { name: 'first', jobs: () => ({ 'shared.queue': handler }) },
      { name: 'second', jobs: () => ({ 'shared.queue': handler }) },
    ];
    expect(() => jobHandlers(deps, app.services, twice)).toThrow('job queue shared.queue is claimed by modules first and second');
  });

  it('builds each service once: frozen singletons, the same object in every plugin that serves it', () => {
    const services = app.services as unknown as Record<string, object>;
    expect(Object.isFrozen(services)).toBe(true);
    const singletons = new Set(Object.values(services));
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'jobs') expect(Object.isFrozen(service), name).toBe(true);
    }
    // Every service a route plugin was handed is one of the app's, never a copy.
    expect(received.length).toBeGreaterThan(20);
    for (const { module, options } of received) {
      for (const [key, value] of Object.entries(options)) {
        if (key === 'prefix') continue;
        expect(singletons.has(value as object), `${module}: ${key}`).toBe(true);
      }
    }
    // Two plugins, one object: beneficiaries v1 and v2, and the payout routes and the operator's approvals.
    const handed = (module: string, key: string) => received.filter((r) => r.module === module).map((r) => r.options[key]);
    expect(handed('beneficiaries', 'beneficiaries')).toEqual([services.beneficiaries, services.beneficiaries]);
    expect(handed('beneficiaries', 'beneficiaries')[0]).toBe(handed('beneficiaries', 'beneficiaries')[1]);
    expect(handed('payouts', 'payouts')[0]).toBe(app.services.payouts);
  });
});
