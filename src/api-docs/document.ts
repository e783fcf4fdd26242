// /openapi.json shaped like Glomo's own document, so a tool built for one works with the other (decision 0042): one
// `servers` entry for this server ending in /api/v1 and the /api/v1 paths written relative to it (`/customer`); every
// other path relative to a path-level `servers` entry that makes it resolve where it is served (`/v2/beneficiaries`
// under `<origin>/api`, as the 2026 document writes v2 paths; `/admin/v1/…` and `/health` under the origin); the
// secret-key bearer scheme the default, operations without it saying so (`security: []`); the tags of tags.ts.
import { API_TAGS, TAG_GROUPS } from './tags.js';

type Json = Record<string, unknown>;

/** Where the document's paths are written from: the prefix taken off, and the server the path then resolves against. */
const PREFIXES: readonly { prefix: string; base: string }[] = [
  { prefix: '/api/v1', base: '/api/v1' },
  { prefix: '/api', base: '/api' },
  { prefix: '', base: '' },
];

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The document of @fastify/swagger (paths as served: `/api/v1/customer`) as Glomo's document writes it. */
export function shapeLikeGlomo(document: Json, publicUrl: string): Json {
  const origin = publicUrl.replace(/\/+$/, '');
  const servedPaths = (document.paths ?? {}) as Record<string, Json>;
  const paths: Record<string, Json> = {};
  const used = new Set<string>();
  for (const [served, item] of Object.entries(servedPaths)) {
    const { prefix, base } = PREFIXES.find(({ prefix }) => served.startsWith(`${prefix}/`))!;
    const path = served.slice(prefix.length);
    if (paths[path]) throw new Error(`/openapi.json: ${served} and another path are both written ${path}`);
    const operations: Json = {};
    for (const [method, value] of Object.entries(item)) {
      if (!METHODS.has(method)) {
        operations[method] = value;
        continue;
      }
      const operation = value as Json;
      for (const tag of (operation.tags as string[] | undefined) ?? []) {
        if (!API_TAGS.some((known) => known.name === tag)) throw new Error(`/openapi.json: ${method.toUpperCase()} ${served} has the undeclared tag ${tag}`);
        used.add(tag);
      }
      // The document's default is the secret key; an operation that takes none (or another) says so.
      operations[method] = { ...operation, security: operation.security ?? [] };
    }
    paths[path] = base === '/api/v1' ? operations : { servers: [{ url: `${origin}${base}` }], ...operations };
  }
  return {
    ...document,
    servers: [{ url: `${origin}/api/v1`, description: 'This server' }],
    security: [{ JWT: [] }],
    tags: API_TAGS.filter((tag) => used.has(tag.name)),
    'x-tagGroups': TAG_GROUPS
      .map((group) => ({ ...group, tags: group.tags.filter((tag) => used.has(tag)) }))
      .filter((group) => group.tags.length > 0),
    paths,
  };
}
