// What a module declares to the process (src/modules/<name>/manifest.ts): its route plugins and the API scope each is
// served in, its job handlers, the webhook events it emits and its sandbox-only operations. app.ts and composition.ts
// iterate the list of manifests (src/modules/index.ts); neither names a module.
//
// A manifest states the services it is handed as a type of its own (`{ orders: OrderService }`), never the
// composition root's `Services`: the root imports the manifests, so importing it back would close a cycle. The root
// checks that its services satisfy every manifest (composition.ts, `modules`).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyPluginOptions } from 'fastify';
import type { JobHandler } from '../core/jobs.js';
import type { AppDeps } from '../deps.js';

/**
 * Where a route plugin is served: /api/v1 and /api/v2 behind the secret-key hook; /api/public/v1 behind none, so a
 * public plugin authenticates the publishable key itself (as the checkout's do, checkout/publishable-auth.ts).
 */
export type RouteScope = 'v1' | 'v2' | 'public';

export interface ModuleRoute<S> {
  scope: RouteScope;
  // The plugin's own options type is checked where the route is declared (`route()`); here it is erased, so that one
  // list holds plugins of different options.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  plugin: FastifyPluginAsyncTypebox<any>;
  /** The plugin's options, taken from the composition root's services. */
  options: (services: S) => object;
}

/**
 * One module's manifest. `S` is what its routes are handed from the services, `J` what its job handlers are (the
 * services without the job runner, which is built from the handlers).
 */
export interface ModuleManifest<S = unknown, J = unknown> {
  /** Unique among the manifests. */
  name: string;
  /** Registered in this order within each scope; the OpenAPI document lists operations in registration order. */
  routes?: readonly ModuleRoute<S>[];
  /** The module's job handlers, by queue; a queue belongs to one module. */
  jobs?: (deps: AppDeps, services: J) => Record<string, JobHandler>;
  /** The webhook events (`entity_type.event_type`) the module records, as far as they are known statically. */
  events?: readonly string[];
  /** The operationIds of its sandbox-only operations (a production key gets 404). */
  sandboxHelpers?: readonly string[];
}

/** A route of a manifest, its plugin and its options checked against each other. */
export function route<S, O extends FastifyPluginOptions>(
  scope: RouteScope,
  plugin: FastifyPluginAsyncTypebox<O>,
  options: (services: S) => O,
): ModuleRoute<S> {
  return { scope, plugin, options };
}
