// Generated requests for the fuzz test (test/fuzz.test.ts): a seeded PRNG, values shaped by an operation's JSON
// schema with hostile values mixed in, the ids it has seen, and the checker every response must pass.

/** mulberry32: small, fast and the same sequence for the same seed on every machine. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  format?: string;
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
}

/** A JSON token JSON.stringify cannot write (`1e309`): placed as a marker string, swapped back in by `toJsonText`. */
const RAW = '\u0001raw:';
const raw = (token: string) => `${RAW}${token}`;

export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001raw:([^"]*)"/g, '$1');
}

const LONG = 'A'.repeat(20_000);
export const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', '\u0000', 'a\u0000b', 'cust_\u0000', '\ud800', 'x\udfffy', '\ufeff', '\u202e', '💸', LONG, 'é'.repeat(3000),
  '0000-01-01T00:00:00Z', '2025-02-18T12:03:44+99:99', '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z', '2025-13-45T25:61:61Z', '2025-02-18', '2025-02-18T12:03:44.123456789Z', '1970-01-01T00:00:00Z',
  '29-02-2023', '0000-00-00', 'NaN', 'Infinity', '-1', '1e309', '9007199254740993', "'; drop table customers; --",
  '../../etc/passwd', '%00', '<script>', 'null', 'true', '[]', '{}', 'usd', 'XXX', 'ind', 'P0000', 'S9999',
];
export const HOSTILE_NUMBERS: readonly unknown[] = [
  raw('1e309'), raw('-1e309'), raw('123456789012345678901234567890'), raw('1E2'), raw('-0'), raw('1.0'),
  9007199254740991, 9007199254740992, -9007199254740991, 10 ** 15, 10 ** 21, 1e308, -1, 0, 0.5, 1.0000001, -0.25, 2 ** 31, 2 ** 63,
];
const WRONG_TYPES: readonly unknown[] = [null, true, false, [], {}, [1, 2], { a: 1 }, '123', 123, [{}], [null]];

export function hostileValue(rng: Rng): unknown {
  const kind = rng.next();
  if (kind < 0.45) return rng.pick(HOSTILE_STRINGS);
  if (kind < 0.8) return rng.pick(HOSTILE_NUMBERS);
  return rng.pick(WRONG_TYPES);
}

/** Hostile path segments and query values, already percent-encoded (encodeURIComponent throws on a lone surrogate). */
export const HOSTILE_URL_PARTS: readonly string[] = [
  '%00', 'a%00b', '%ED%A0%80', '%C0%80', '%FF', '%ZZ', '%', '..%2F..', '%2F', 'A'.repeat(3000), '1e309', '-1', '0', '-0', '0.5',
  '9007199254740993', '99999999999999999999999', 'NaN', '%20', '%F0%9F%92%B8', '0000-01-01T00%3A00%3A00Z',
  '2025-02-18T12%3A03%3A44%2B99%3A99', '2025-02-18T12:03:44+99:99', '9999-12-31T23%3A59%3A59Z', '%2B275760-09-13T00%3A00%3A00Z',
  'cust_%00', 'order_', '_', 'null', 'undefined', '__proto__', 'constructor',
];

/** Ids seen in responses, by prefix (`cust` -> [cust_…]). */
export class IdPool {
  private readonly byPrefix = new Map<string, string[]>();
  add(id: string): void {
    const match = /^([a-z]+)_[0-9A-Za-z]+$/.exec(id);
    if (!match) return;
    const list = this.byPrefix.get(match[1]!) ?? [];
    if (!list.includes(id)) list.push(id);
    if (list.length > 40) list.shift();
    this.byPrefix.set(match[1]!, list);
  }
  /** Every string in a JSON answer that looks like an id. */
  harvest(value: unknown): void {
    if (typeof value === 'string') this.add(value);
    else if (Array.isArray(value)) value.forEach((item) => this.harvest(item));
    else if (value && typeof value === 'object') Object.values(value).forEach((item) => this.harvest(item));
  }
  pick(rng: Rng, prefixes: readonly string[]): string | undefined {
    const candidates = prefixes.flatMap((prefix) => this.byPrefix.get(prefix) ?? []);
    return candidates.length ? rng.pick(candidates) : undefined;
  }
  any(rng: Rng): string | undefined {
    return this.pick(rng, [...this.byPrefix.keys()]);
  }
  prefixes(): string[] {
    return [...this.byPrefix.keys()];
  }
}

/** The id prefix a field or path segment names. */
const FIELD_PREFIXES: Record<string, readonly string[]> = {
  customer_id: ['cust'], document_id: ['doc'], doc_id: ['doc'], documents: ['doc'], payin_id: ['order', 'payin'],
  beneficiary_id: ['bene'], beneficiary_account_id: ['bene'], payment_id: ['payt'], quote_id: ['quote'],
  withdrawal_account_id: ['accwith'], endpoint_id: ['we'], rfi_doc_id: ['rfidoc'], rfi_document_ids: ['rfidoc'],
  merchant_id: ['merch'], entity_id: ['order', 'payt', 'payout', 'refund', 'cust', 'payin'], subscription_id: ['sub'],
};
const PATH_PREFIXES: Record<string, readonly string[]> = {
  customer: ['cust'], document: ['doc'], balance_conversions: ['conv'], quotes: ['quote'], orders: ['order'], order: ['order'],
  payin: ['payin'], payment: ['payt'], refunds: ['refund'], payouts: ['payout'], rfis: ['rfi'], prices: ['price'],
  events: ['evt'], webhook_endpoints: ['we'], beneficiaries: ['bene'], withdrawal_accounts: ['accwith'], withdrawals: ['payout'],
  merchants: ['merch'],
};

/** The prefixes an `{id}` of this path template wants: named by the segment before it. */
export function pathParamPrefixes(template: string, param: string): readonly string[] {
  if (param === 'payout_id') return ['payout'];
  const segments = template.split('/');
  const at = segments.indexOf(`{${param}}`);
  return PATH_PREFIXES[segments[at - 1] ?? ''] ?? [];
}

const CURRENCIES = ['USD', 'EUR', 'GBP', 'INR', 'AED', 'SGD', 'AUD', 'JPY', 'usd'];
const COUNTRIES = ['IND', 'USA', 'GBR', 'ARE', 'SGP', 'DEU', 'ind'];

export interface GenContext {
  rng: Rng;
  ids: IdPool;
  /** The chance that a field (at any depth) is replaced by a hostile value. */
  mutation: number;
  /** A time in the future (what `expires_at` and `to` want), ISO. */
  soon: string;
}

function stringFor(name: string, schema: JsonSchema, ctx: GenContext): unknown {
  const { rng } = ctx;
  const prefixes = FIELD_PREFIXES[name];
  if (prefixes) return ctx.ids.pick(rng, prefixes) ?? `${prefixes[0]}_6819d804aB3xQ`;
  if (schema.format === 'email' || name === 'email') return `fuzz.${rng.int(1, 1e6)}@example.com`;
  if (schema.format === 'timestamp' || name.endsWith('_at') || name === 'to' || name === 'before' || name === 'after') {
    return rng.chance(0.7) ? ctx.soon : new Date(Date.UTC(2025, rng.int(0, 11), rng.int(1, 28))).toISOString();
  }
  if (schema.format === 'iso-4217' || name.includes('currency')) return rng.pick(CURRENCIES);
  if (schema.format === 'iso-3166-1-alpha-3' || name.includes('country')) return rng.pick(COUNTRIES);
  if (name === 'url') return rng.pick(['http://127.0.0.1:9/hook', 'https://example.com/hook', 'ftp://x', 'http://[::1]:9/']);
  if (name === 'purpose_code') return rng.pick(['P0802', 'P1401', 'S0017', 'S1006', 'P12']);
  if (schema.examples?.length && rng.chance(0.7)) return rng.pick(schema.examples);
  const length = rng.int(schema.minLength ?? 1, Math.min(schema.maxLength ?? 24, 24));
  let out = '';
  for (let i = 0; i < length; i++) out += rng.pick('abcdefghijklmnopqrstuvwxyz0123456789 -_.'.split(''));
  return out;
}

function integerFor(schema: JsonSchema, ctx: GenContext): number {
  const { rng } = ctx;
  if (schema.examples?.length && rng.chance(0.5)) return schema.examples[0] as number;
  const min = schema.minimum ?? 0;
  const max = Math.min(schema.maximum ?? 1_000_000, min + 1_000_000);
  return rng.chance(0.1) ? rng.pick([min, max]) : rng.int(min, max);
}

/** A value of the schema's shape; each field may be swapped for a hostile value, and objects may gain unknown fields. */
export function valueFor(schema: JsonSchema, ctx: GenContext, name = ''): unknown {
  const { rng } = ctx;
  if (rng.chance(ctx.mutation)) return hostileValue(rng);
  if (schema.anyOf?.length) return valueFor(rng.pick(schema.anyOf), ctx, name);
  if (schema.enum?.length) return rng.pick(schema.enum);
  const type = Array.isArray(schema.type) ? rng.pick(schema.type) : schema.type ?? (schema.properties ? 'object' : 'string');
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        const required = schema.required?.includes(key) ?? false;
        if (required ? rng.chance(0.95) : rng.chance(0.5)) out[key] = valueFor(property, ctx, key);
      }
      if (!schema.properties && rng.chance(0.8)) out[`k${rng.int(0, 9)}`] = `v${rng.int(0, 9)}`;
      if (rng.chance(ctx.mutation)) out[rng.pick(['unknown_field', '__proto__', 'constructor', 'id', 'merchant_id', '\u0000'])] = hostileValue(rng);
      return out;
    }
    case 'array': {
      const count = rng.int(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3));
      return Array.from({ length: count }, () => valueFor(schema.items ?? {}, ctx, name));
    }
    case 'integer':
    case 'number':
      return integerFor(schema, ctx);
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    default:
      return stringFor(name, schema, ctx);
  }
}

/** The value with exactly one field (at any depth) swapped for a hostile value, or the whole value when it has none. */
export function mutateOne(value: unknown, rng: Rng): unknown {
  const slots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((item, i) => { slots.push({ parent: node, key: i }); walk(item); });
    else if (node && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) { slots.push({ parent: node as Record<string, unknown>, key }); walk(item); }
    }
  };
  walk(value);
  if (!slots.length) return hostileValue(rng);
  const { parent, key } = rng.pick(slots);
  (parent as Record<string | number, unknown>)[key] = hostileValue(rng);
  return value;
}

/** A query-string value for a parameter: its shape as text, or a hostile one (already encoded). */
export function queryValue(name: string, schema: JsonSchema, ctx: GenContext): string {
  const { rng } = ctx;
  if (rng.chance(0.35)) return rng.pick(HOSTILE_URL_PARTS);
  const value = valueFor(schema, { ...ctx, mutation: 0 }, name);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return encodeURIComponent(text);
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

export interface FuzzResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** What is wrong with an answer, or undefined: no 5xx, and every 4xx is the contract's JSON error. */
export function responseProblem(response: FuzzResponse): string | undefined {
  if (response.statusCode >= 500) return `${response.statusCode}: ${response.body.slice(0, 500)}`;
  if (response.statusCode < 400) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return `${response.statusCode} is not JSON: ${response.body.slice(0, 200)}`;
  }
  const error = body as { error?: unknown; message?: unknown; code?: unknown } | null;
  if (!error || typeof error !== 'object') return `${response.statusCode} is not a JSON object: ${response.body.slice(0, 200)}`;
  if (typeof error.error !== 'string') return `${response.statusCode} has no string error: ${response.body.slice(0, 200)}`;
  if (typeof error.message !== 'string') return `${response.statusCode} has no string message: ${response.body.slice(0, 200)}`;
  if (error.code !== undefined && typeof error.code !== 'string') return `${response.statusCode} has a non-string code: ${response.body.slice(0, 200)}`;
  return undefined;
}

/** The known-hostile inputs a request carries, to group failures by their likely cause. */
const SUSPECTS: ReadonlyArray<[string, RegExp]> = [
  ['NUL', /\\u0000|%00/], ['lone surrogate', /\\ud[89ab]|\\udfff|%ED%A0%80|\ud800|\udfff/i], ['overlong UTF-8', /%C0%80|%FF/],
  ['year 0', /0000-01-01|-000001|0000-00-00/], ['bad offset', /(\+|%2B)99(:|%3A)99/i],
  ['year 275760', /275760/], ['1e309', /1e309/i], ['beyond 2^53', /9007199254740993|9007199254740992|123456789012345678901234567890|9223372036854775808|1e\+?2[01]|e\+?308/i],
  ['huge integer', /\d{17,}/], ['long string', /A{2000}|(é){1000}|x{1000}/], ['bad month/day', /2025-13-45/],
];

export function suspects(request: FuzzRequest): string[] {
  const text = `${request.url} ${Object.values(request.headers).join(' ')} ${Buffer.isBuffer(request.payload) ? request.payload.toString('latin1') : request.payload ?? ''}`;
  const found = SUSPECTS.filter(([, pattern]) => pattern.test(text)).map(([name]) => name);
  if (text.includes('\u0000') && !found.includes('NUL')) found.unshift('NUL');
  if (/%ZZ|%(?![0-9A-F]{2})/i.test(request.url)) found.push('bad percent-encoding');
  const type = request.headers['content-type'];
  if (type?.startsWith('multipart/') && !/boundary=\S/.test(type)) found.push('multipart without boundary');
  else if (type?.startsWith('multipart/') && !String(request.payload ?? '').endsWith('--\r\n')) found.push('truncated multipart');
  return found;
}

/** Bash's $'…' quoting, so NUL-free control characters and quotes survive a copy-paste. */
function bashQuote(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (c === '\\' || c === "'") out += `\\${c}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `$'${out}'`;
}

/** One curl command that repeats the request against a running server (tokens left as $TOKEN). */
export function curlFor(request: FuzzRequest): string {
  const parts = [`curl -sS -X ${request.method}`, bashQuote(`http://localhost:3000${request.url}`)];
  for (const [name, value] of Object.entries(request.headers)) {
    parts.push('-H', bashQuote(name === 'authorization' ? `${name}: Bearer $TOKEN` : `${name}: ${value}`).replace("$TOKEN'", "'\"$TOKEN\""));
  }
  if (request.payload !== undefined) {
    const text = Buffer.isBuffer(request.payload) ? request.payload.toString('latin1') : request.payload;
    parts.push('--data-binary', bashQuote(text.length > 2000 ? `${text.slice(0, 2000)}…(${text.length} chars)` : text));
  }
  return parts.join(' ');
}
