// Validates responses against the published contract (test/contract/*.json): the schema itself, and that the
// response carries no field the contract does not declare (response schemas are allow-lists).
import fs from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, unknown>;
const DOCS = {
  '2025': JSON.parse(fs.readFileSync(new URL('../contract/glomo-openapi-2025.json', import.meta.url), 'utf8')) as Json,
  '2026': JSON.parse(fs.readFileSync(new URL('../contract/glomo-openapi-2026-excerpt.json', import.meta.url), 'utf8')) as Json,
};
export type ContractVersion = keyof typeof DOCS;

// Erratum (decision 0032): the 2026 Payment's `payment_method.details` is a oneOf of three shapes none of which
// requires a field, so any details object matches all three and the oneOf can never pass. Read as anyOf.
{
  const details = (((((DOCS['2026'].components as Json).schemas as Json).Payment as Json).properties as Json).payment_method as Json).properties as Json;
  const detail = details.details as Json;
  if (Array.isArray(detail.oneOf)) {
    detail.anyOf = detail.oneOf;
    delete detail.oneOf;
  }
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('timestamp', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/);
ajv.addFormat('iso-3166-1-alpha-3', /^[A-Z]{3}$/);
ajv.addFormat('iso-4217', /^[A-Z]{3}$/);
ajv.addFormat('binary', true);
// The contract writes some formats with a note; the codes themselves are checked by the formats above where it matters.
ajv.addFormat('iso-4217, case-insensitive', true);
ajv.addFormat('iso-3166-1-alpha-3, case-insensitive', true);
for (const [version, doc] of Object.entries(DOCS)) ajv.addSchema({ ...doc, $id: `glomo-${version}` });

function resolve(version: ContractVersion, schema: Json): Json {
  let current = schema;
  while (typeof current.$ref === 'string') {
    const pointer = (current.$ref as string).replace(/^#\//, '').split('/');
    let target: unknown = DOCS[version];
    for (const part of pointer) target = (target as Json)[part];
    current = { ...(target as Json), ...Object.fromEntries(Object.entries(current).filter(([k]) => k !== '$ref')) };
  }
  return current;
}

/** Every key of `value` must be declared by `schema` (recursively), unless the schema allows extra keys. */
function undeclaredFields(version: ContractVersion, schema: Json, value: unknown, at = '$'): string[] {
  const resolved = resolve(version, schema);
  if (Array.isArray(value) && resolved.items) {
    return value.flatMap((item, i) => undeclaredFields(version, resolved.items as Json, item, `${at}[${i}]`));
  }
  if (value === null || typeof value !== 'object' || !resolved.properties) return [];
  if (resolved.additionalProperties !== undefined && resolved.additionalProperties !== false) return [];
  const properties = resolved.properties as Record<string, Json>;
  return Object.entries(value as Json).flatMap(([key, field]) =>
    properties[key] ? undeclaredFields(version, properties[key], field, `${at}.${key}`) : [`${at}.${key}`],
  );
}

function check(version: ContractVersion, schema: Json, ref: string, value: unknown): void {
  const validate: ValidateFunction = ajv.compile({ $ref: ref });
  const valid = validate(value);
  expect(valid ? [] : validate.errors, `response does not match ${ref}`).toEqual([]);
  expect(undeclaredFields(version, schema, value), `fields not in ${ref}`).toEqual([]);
}

/** Checks a value against `components.schemas.<name>` of the contract. */
export function expectSchema(name: string, value: unknown, version: ContractVersion = '2025'): void {
  const components = (DOCS[version].components as Json).schemas as Json;
  expect(components[name], `no schema ${name} in the ${version} contract`).toBeDefined();
  check(version, components[name] as Json, `glomo-${version}#/components/schemas/${name}`, value);
}

/** Checks a response body against the contract's response schema of an operation. */
export function expectResponse(
  method: 'get' | 'post' | 'patch' | 'delete',
  path: string,
  status: number,
  body: unknown,
  version: ContractVersion = '2025',
): void {
  const operation = ((DOCS[version].paths as Json)[path] as Json | undefined)?.[method] as Json | undefined;
  expect(operation, `no operation ${method.toUpperCase()} ${path} in the ${version} contract`).toBeDefined();
  const response = (operation!.responses as Json)[String(status)] as Json | undefined;
  expect(response, `no ${status} response for ${method.toUpperCase()} ${path}`).toBeDefined();
  const schema = ((response!.content as Json)['application/json'] as Json).schema as Json;
  const escaped = path.replace(/~/g, '~0').replace(/\//g, '~1');
  check(version, schema, `glomo-${version}#/paths/${escaped}/${method}/responses/${status}/content/application~1json/schema`, body);
}

/**
 * A subscription's payment against the 2026 contract's `Payment`: it names its subscription, its `payin_id` is null and
 * it has no `payin_type` (the contract types that string|null, but its enum has no null, so the server leaves it out).
 */
export function expectSubscriptionPayment(payment: unknown): void {
  const body = payment as Record<string, unknown>;
  expect(body.subscription_id).toEqual(expect.stringMatching(/^sub_/));
  expect(body.payin_id).toBeNull();
  expect(body).not.toHaveProperty('payin_type');
  expectSchema('Payment', body, '2026');
}

/**
 * A child merchant read back by its platform (GET, list, status-update) against the contract's `Merchant`, which marks
 * `jwt_token` required: the server shows a child's secret key once, in the onboarding answer, and never again
 * (decision 0035). The body must not carry it; everything else is checked as the contract says.
 */
export function expectChildMerchant(merchant: unknown): void {
  const body = merchant as Record<string, unknown>;
  expect(body).not.toHaveProperty('jwt_token');
  expect(body).not.toHaveProperty('public_key');
  expectSchema('Merchant', { ...body, jwt_token: 'shown once, at onboarding' });
}

/**
 * The served document's paths as full path templates (`/api/v1/customer`, `/api/v2/beneficiaries`): each path read with
 * the servers entry that applies to it (path-level, then top-level), however the document writes its paths; each with
 * its operations by method.
 */
export function servedPaths(document: unknown): [string, Json][] {
  const doc = document as Json;
  const base = (servers: unknown) => {
    const first = (servers as Json[] | undefined)?.[0]?.url as string | undefined;
    return first === undefined ? undefined : new URL(first, 'http://localhost').pathname.replace(/\/$/, '');
  };
  const top = base(doc.servers) ?? '';
  return Object.entries(doc.paths as Record<string, Json>).map(([path, { servers, ...operations }]) => [(base(servers) ?? top) + path, operations]);
}

/**
 * Checks a response of one of our extensions (no contract operation) against the schema this server publishes for it
 * in /openapi.json. `url` is the real request path with its prefix (`/api/v1/balances/history`).
 */
export function expectServedResponse(
  document: unknown,
  method: 'get' | 'post' | 'patch' | 'delete',
  url: string,
  status: number,
  body: unknown,
): void {
  const doc = document as Json;
  const entry = servedPaths(document).find(([path]) => path === url);
  expect(entry, `no path for ${url} in the served document`).toBeDefined();
  const operation = entry![1][method] as Json | undefined;
  expect(operation, `no operation ${method.toUpperCase()} ${url} in the served document`).toBeDefined();
  const schema = ((((operation!.responses as Json)[String(status)] as Json).content as Json)['application/json'] as Json).schema as Json;
  const validate = new Ajv2020({ strict: false, allErrors: true });
  addFormats(validate);
  const check = validate.compile({ ...schema, components: doc.components });
  expect(check(body) ? [] : check.errors, `response does not match the served schema of ${method.toUpperCase()} ${url}`).toEqual([]);
}
