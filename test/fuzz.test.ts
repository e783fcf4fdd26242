// Generated requests over every operation of /openapi.json (issue 12): seeded, so a failure replays; every answer
// is below 500, every 4xx is the contract's JSON error, and the ledger holds afterwards. FUZZ_SEED and FUZZ_RUNS
// (requests per operation) override the defaults for longer local runs.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from './support/app.js';
import { v1Body, v2Body } from './support/beneficiaries.js';
import { uploadDocumentId } from './support/fixtures.js';
import {
  curlFor, HOSTILE_URL_PARTS, IdPool, mutateOne, pathParamPrefixes, queryValue, responseProblem, Rng, suspects, toJsonText, valueFor,
  type FuzzRequest, type FuzzResponse, type GenContext, type JsonSchema,
} from './support/fuzz.js';
import { servedPaths } from './support/contract.js';
import { expectLedgerConsistent, fundMerchant } from './support/ledger.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
const PREFIXES = ['/api/v1/', '/api/v2/', '/api/public/v1/', '/admin/v1/'];

interface Parameter {
  in: 'path' | 'query';
  name: string;
  schema: JsonSchema;
}
interface Operation {
  method: string;
  template: string;
  parameters: Parameter[];
  body?: JsonSchema;
}
interface Problem {
  operation: string;
  caller: string;
  request: FuzzRequest;
  response: FuzzResponse;
  problem: string;
}

/** The keys requests are sent with: rotated keys replace their slot, so later requests keep authenticating. */
type Slot = 'sandboxSecret' | 'productionSecret' | 'otherSecret' | 'sandboxPublishable' | 'productionPublishable' | 'otherPublishable';

const BOUNDARY = '----fuzz-boundary';
const PDF = '%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n';
const part = (headers: string, content: string) => `--${BOUNDARY}\r\n${headers}\r\n\r\n${content}\r\n`;

/** POST /api/v1/document bodies: valid, and broken in the ways a client breaks multipart. */
function documentRequest(rng: Rng): { headers: Record<string, string>; payload?: string } {
  const name = rng.pick(['passport', 'invoice', '', '\u0000', 'x'.repeat(5000), '\ud800']);
  const file = rng.pick(['passport.pdf', '', '../../x.pdf', 'a\u0000.pdf', 'x'.repeat(1000)]);
  const valid = part('Content-Disposition: form-data; name="document_name"', name)
    + part(`Content-Disposition: form-data; name="file"; filename="${file}"\r\nContent-Type: application/pdf`, PDF) + `--${BOUNDARY}--\r\n`;
  switch (rng.int(0, 9)) {
    case 0: return { headers: { 'content-type': 'multipart/form-data' }, payload: valid };
    case 1: return { headers: { 'content-type': 'multipart/form-data; boundary=' }, payload: valid };
    case 2: return { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, payload: valid.slice(0, rng.int(0, valid.length - 1)) };
    case 3: return { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, payload: `--${BOUNDARY}--\r\n` };
    case 4: return { headers: { 'content-type': 'text/plain' }, payload: PDF };
    case 5: return { headers: { 'content-type': 'application/json' }, payload: rng.pick(['{}', '[]', '{"document_name":"x"}', '']) };
    case 6: return { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      payload: part('Content-Disposition: form-data; name="file"; filename="x.png"\r\nContent-Type: image/png', 'not a png') + `--${BOUNDARY}--\r\n` };
    case 7: return { headers: {} };
    default: return { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, payload: valid };
  }
}

const HOSTILE_BODIES = ['', 'null', '[]', '[{}]', '"text"', '123', '{', '{"a":', '\u0000', '{"amount": 1e309}', '[' .repeat(3000),
  '{"__proto__": {"admin": true}}', 'true', '{"a":1,"a":2}', '\ufeff{}'];
const OTHER_CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1',
  'application/xml', 'multipart/form-data', 'application/json; charset=utf-16'];

/** Valid bodies of the operations whose schema alone rarely yields one (ids, currencies and amounts that fit). */
type Template = (rng: Rng, id: (...prefixes: string[]) => string, soon: string) => Record<string, unknown>;
/** Mostly small amounts; now and then one at the top of the contract's range (converted, it passes 2^53). */
const amount = (rng: Rng) => (rng.chance(0.12) ? rng.pick([9_007_199_254_740_991, 10 ** 15, 10 ** 13]) : rng.int(100, 50_000));
const TEMPLATES: Record<string, Template> = {
  'POST /api/v1/customer': () => customerBody(),
  'POST /api/v1/balance_conversions': (rng) => ({ source_currency: rng.pick(['USD', 'EUR']), target_currency: rng.pick(['EUR', 'GBP', 'INR']), source_amount: amount(rng) }),
  'POST /api/v1/quotes': (rng) => ({
    resource: rng.pick(['payin', 'payout', 'balance_conversion']), source_currency: 'USD', destination_currency: rng.pick(['INR', 'EUR', 'USD']), source_amount: amount(rng),
  }),
  'POST /api/v1/orders': (rng, id) => ({
    customer_id: id('cust'), currency: rng.pick(['USD', 'EUR', 'GBP']), amount: amount(rng), payment_methods: ['card', 'bank_transfer'], purpose_code: 'P0802',
    invoice_number: `INV-${rng.int(1, 1e6)}`, reference_number: 'R1', product: { name: 'Fees', description: 'Semester' }, notes: { k: 'v' },
    request_id: `req-${rng.int(1, 1e9)}`,
  }),
  'POST /api/v1/payin': (rng, id, soon) => ({
    customer_id: id('cust'), currency: 'USD', amount: amount(rng), purpose_code: 'P0802', expires_at: soon, payment_methods: ['card'],
    invoice_description: 'Fees', reminder_frequency: rng.pick([1, 2, 7, 14]),
  }),
  'PATCH /api/v1/payin/{id}': (rng, _id, soon) => ({ reminder_frequency: rng.pick([1, 7]), expires_at: soon }),
  'POST /api/v1/payment/mock': (rng, id) => ({
    payin_id: id('order', 'payin'), currency: rng.pick(['USD', 'EUR']), amount: rng.pick([25_000, 10_000, 9_000, amount(rng)]),
    payment_method: rng.pick(['BankTransfer', 'Card']), card_number: '4532 4911 1111 1111',
  }),
  'POST /api/v1/refunds': (rng, id) => ({ payment_id: id('payt'), reason: 'Others', amount: rng.int(1, 500), request_id: `r-${rng.int(1, 1e9)}` }),
  'POST /api/v1/payouts': (rng, id) => ({
    beneficiary_id: id('bene'), purpose_code: 'S0017', source_currency: 'USD', destination_currency: rng.pick(['USD', 'INR']), source_amount: amount(rng),
    request_id: `p-${rng.int(1, 1e9)}`, notes: { k: 'v' }, invoice_number: 'INV1',
  }),
  'PATCH /api/v1/payouts/mock': (rng, id) => ({ id: id('payout'), status: rng.pick(['pending', 'success', 'failed', 'action_required', 'cancelled']) }),
  'PATCH /api/v1/payouts/{id}/cancel': () => ({ reason: 'duplicate' }),
  'PATCH /api/v1/rfis/{id}/respond': (_rng, id) => ({ documents: [{ rfi_doc_id: id('rfidoc'), doc_id: id('doc') }] }),
  'POST /api/v2/beneficiaries': () => v2Body(),
  'POST /api/v1/beneficiaries': () => v1Body(),
  'PATCH /api/v2/beneficiaries/{id}/mock-review': (rng) => ({ review_action: rng.pick(['approve', 'reject']) }),
  'PATCH /api/v1/webhook_endpoints/{id}': (rng) => ({ description: 'fuzz', url: 'http://127.0.0.1:9/h', status: rng.pick(['enabled', 'disabled']) }),
  'POST /api/v1/withdrawals': (rng) => ({ amount: rng.int(1, 500), balance_currency: 'USD' }),
  'POST /admin/v1/merchants/{id}/withdrawal_accounts': () => ({
    env: 'sandbox', holder_name: 'Fuzz Ltd', account_number: '12345678901', bank_name: 'Citibank', currency: 'USD', country: 'USA',
  }),
  'POST /admin/v1/merchants/{id}/adjustments': (rng) => ({ direction: rng.pick(['credit', 'debit']), currency: 'USD', amount: amount(rng), reason: 'fuzz' }),
  'POST /admin/v1/merchants/{id}/payouts/{payout_id}/approve': () => ({ env: 'sandbox' }),
  'POST /admin/v1/merchants/{id}/payouts/{payout_id}/reject': () => ({ env: 'sandbox' }),
  'POST /api/public/v1/order/{id}/payments': (rng) => ({
    method: rng.pick(['card', 'bank_transfer']), card: { number: '4532491111111111', exp_month: 12, exp_year: 2030, cvv: '123', holder_name: 'A B' },
  }),
};

describe(`generated requests over every operation (seed ${SEED}, ${RUNS} per operation)`, () => {
  let app: App;
  let merchant: TestMerchant;
  let other: TestMerchant;
  let adminTarget: TestMerchant;
  let operations: Operation[];
  const ids = new IdPool();
  const keys = {} as Record<Slot, string>;

  /** Sends a request; the ids a 2xx answer names join the pool when `harvest` (the sandbox merchant's own objects). */
  async function send(request: FuzzRequest, harvest = true): Promise<FuzzResponse> {
    const response = await app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, payload: request.payload });
    const answer = { statusCode: response.statusCode, headers: response.headers, body: response.body };
    if (harvest && response.statusCode < 300 && String(response.headers['content-type'] ?? '').includes('json')) {
      try {
        ids.harvest(JSON.parse(response.body));
      } catch {
        // Not JSON after all: nothing to harvest.
      }
    }
    return answer;
  }

  /** A fixture request through the API: best effort (a refusal only means fewer ids to aim at). */
  async function fixture(method: string, url: string, payload?: unknown, key = keys.sandboxSecret): Promise<Record<string, unknown>> {
    const response = await send({
      method, url, headers: { ...bearer(key), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      payload: payload === undefined ? undefined : JSON.stringify(payload),
    });
    if (response.statusCode >= 300) console.error(`fixture ${method} ${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
    try {
      return JSON.parse(response.body) as Record<string, unknown>;
    } catch {
      return {};
    }
  }

  async function createFixtures(): Promise<void> {
    await fundMerchant(merchant.id, 'USD', 2n * 10n ** 15n);
    await fundMerchant(merchant.id, 'EUR', 10n ** 10n);
    ids.add(await uploadDocumentId(app, keys.sandboxSecret));
    await fixture('POST', '/api/v1/prices', { pricing_type: 'percentage', bps: 150 });
    const customer = await fixture('POST', '/api/v1/customer', customerBody());
    const soon = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const order = await fixture('POST', '/api/v1/orders', {
      customer_id: customer.id, currency: 'USD', amount: 25_000, payment_methods: ['bank_transfer', 'card'], purpose_code: 'P0802', product: { name: 'Fees' },
    });
    const cardOrder = await fixture('POST', '/api/v1/orders', { customer_id: customer.id, currency: 'EUR', amount: 9_000, payment_methods: ['card'], purpose_code: 'P0802' });
    await fixture('POST', '/api/v1/payin', {
      customer_id: customer.id, currency: 'USD', amount: 10_000, purpose_code: 'P0802', expires_at: soon, payment_methods: ['card', 'bank_transfer'],
    });
    let payment = await fixture('POST', '/api/v1/payment/mock', { payin_id: order.id, currency: 'USD', amount: 25_000, payment_method: 'BankTransfer' });
    const due = /: (\d+)$/.exec(String(payment.message ?? ''));
    if (due) payment = await fixture('POST', '/api/v1/payment/mock', { payin_id: order.id, currency: 'USD', amount: Number(due[1]), payment_method: 'BankTransfer' });
    // A sanctions hit: an action_required payment with an RFI.
    const flagged = await fixture('POST', '/api/v1/orders', { customer_id: customer.id, currency: 'USD', amount: 6_623, payment_methods: ['bank_transfer'], purpose_code: 'P0802' });
    await fixture('POST', '/api/v1/payment/mock', { payin_id: flagged.id, currency: 'USD', amount: 6_623, payment_method: 'BankTransfer', remitter_name: 'Sanctioned_Entity' });
    if (payment.id) await fixture('PATCH', `/api/v1/payment/${String(payment.id)}/mock-funds-available`);
    // A partial refund: of a card payment, with partial refunds enabled for the merchant.
    await fixture('PATCH', `/admin/v1/merchants/${merchant.id}`, { partial_refunds: true }, ADMIN_TOKEN);
    let card = await fixture('POST', '/api/v1/payment/mock', { payin_id: cardOrder.id, currency: 'EUR', amount: 9_000, payment_method: 'Card', card_number: '4532 4911 1111 1111' });
    const cardDue = /: (\d+)$/.exec(String(card.message ?? ''));
    if (cardDue) card = await fixture('POST', '/api/v1/payment/mock', { payin_id: cardOrder.id, currency: 'EUR', amount: Number(cardDue[1]), payment_method: 'Card', card_number: '4532 4911 1111 1111' });
    if (card.id) {
      await fixture('PATCH', `/api/v1/payment/${String(card.id)}/mock-funds-available`);
      await fixture('POST', '/api/v1/refunds', { payment_id: card.id, reason: 'Requested By Customer', amount: 1_000 });
    }
    await fixture('POST', '/api/v1/webhook_endpoints', { url: 'http://127.0.0.1:9/hook' });
    await fixture('POST', '/api/v1/quotes', { resource: 'payout', source_currency: 'USD', destination_currency: 'INR', source_amount: 10_000 });
    await fixture('POST', '/api/v1/balance_conversions', { source_currency: 'USD', target_currency: 'EUR', source_amount: 1_000 });
    const beneficiary = await fixture('POST', '/api/v2/beneficiaries', v2Body());
    await fixture('POST', '/api/v1/beneficiaries', v1Body());
    const payoutBody = { beneficiary_id: beneficiary.id, purpose_code: 'S0017', source_currency: 'USD', destination_currency: 'USD', source_amount: 10_000 };
    await fixture('POST', '/api/v1/payouts', payoutBody);
    const failing = await fixture('POST', '/api/v1/payouts', payoutBody);
    await fixture('PATCH', '/api/v1/payouts/mock', { id: failing.id, status: 'failed' });
    await fixture('POST', '/api/v1/bank_account_validation', { id: beneficiary.id });
    await fixture('POST', `/admin/v1/merchants/${merchant.id}/withdrawal_accounts`, {
      env: 'sandbox', holder_name: 'Fuzz Ltd', account_number: '12345678901', bank_name: 'Citibank', currency: 'USD', country: 'USA',
    }, ADMIN_TOKEN);
    await fixture('POST', '/api/v1/withdrawals', { amount: 1_000, balance_currency: 'USD' });
    // The other merchant's objects, for requests that aim at them with this merchant's key (and the reverse).
    const theirs = await fixture('POST', '/api/v1/customer', customerBody(), keys.otherSecret);
    await fixture('POST', '/api/v1/orders', { customer_id: theirs.id, currency: 'USD', amount: 5_000, payment_methods: ['card'] }, keys.otherSecret);
    for (const m of [merchant, other, adminTarget]) ids.add(m.id);
  }

  beforeAll(async () => {
    ({ app } = await buildTestApp());
    [merchant, other, adminTarget] = [await createTestMerchant(), await createTestMerchant(), await createTestMerchant()];
    Object.assign(keys, {
      sandboxSecret: merchant.sandboxSecret, productionSecret: merchant.productionSecret, otherSecret: other.sandboxSecret,
      sandboxPublishable: merchant.sandboxPublishable, productionPublishable: merchant.productionPublishable, otherPublishable: other.sandboxPublishable,
    });
    const doc = (await app.inject({ url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
    };
    operations = (servedPaths(doc) as [string, (typeof doc.paths)[string]][])
      .filter(([template]) => PREFIXES.some((prefix) => template.startsWith(prefix)))
      .flatMap(([template, methods]) => Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(), template, parameters: operation.parameters ?? [],
        body: operation.requestBody?.content['application/json']?.schema,
      })));
    await createFixtures();
  });

  function caller(rng: Rng, operation: Operation): { slot?: Slot; headers: Record<string, string> } {
    const r = rng.next();
    if (r < 0.02) return { headers: {} };
    if (r < 0.03) return { headers: { authorization: rng.pick(['Bearer ', 'Bearer abc.def.ghi', 'Basic Zm9vOmJhcg==', 'Bearer  x']) } };
    if (operation.template.startsWith('/admin/')) return rng.chance(0.95) ? { headers: bearer(ADMIN_TOKEN) } : { slot: 'sandboxSecret', headers: bearer(keys.sandboxSecret) };
    const slot: Slot = operation.template.startsWith('/api/public/')
      ? rng.chance(0.8) ? 'sandboxPublishable' : rng.pick(['productionPublishable', 'otherPublishable'] as const)
      : rng.chance(0.78) ? 'sandboxSecret' : rng.pick(['productionSecret', 'otherSecret'] as const);
    return { slot, headers: bearer(keys[slot]) };
  }

  function pathParam(rng: Rng, operation: Operation, name: string): string {
    // Revoking or reissuing keys of the merchants that send the requests would end the run: those aim elsewhere.
    if (/\/keys\//.test(operation.template) && name === 'id') return rng.chance(0.8) ? adminTarget.id : rng.pick(HOSTILE_URL_PARTS);
    const r = rng.next();
    const prefixes = pathParamPrefixes(operation.template, name);
    if (r < 0.65) return ids.pick(rng, prefixes) ?? `${prefixes[0] ?? 'x'}_6819d804aB3xQ`;
    if (r < 0.75) return ids.any(rng) ?? 'cust_6819d804aB3xQ';
    if (r < 0.85) return `${prefixes[0] ?? 'x'}_${rng.pick(['6819d804aB3xQ', 'ffffffffZZZZZ', '', '0', 'x'.repeat(300)])}`;
    return rng.pick(HOSTILE_URL_PARTS);
  }

  function generate(rng: Rng, operation: Operation): { request: FuzzRequest; slot?: Slot; caller: string } {
    // A quarter of bodies are clean, half carry exactly one hostile field, a quarter mutate field by field.
    const mode = rng.pick(['clean', 'one', 'one', 'fields'] as const);
    const ctx: GenContext = { rng, ids, mutation: mode === 'fields' ? 0.12 : 0, soon: new Date(Date.now() + 3 * 86_400_000).toISOString() };
    const { slot, headers } = caller(rng, operation);
    let url = operation.template.replace(/\{(\w+)\}/g, (_, name: string) => pathParam(rng, operation, name));
    const query: string[] = [];
    for (const parameter of operation.parameters.filter((p) => p.in === 'query')) {
      if (rng.chance(0.4)) query.push(`${parameter.name}=${queryValue(parameter.name, parameter.schema, ctx)}`);
    }
    if (rng.chance(0.05)) query.push(`${rng.pick(['unknown', 'page', '__proto__', '%00', 'per_page[]'])}=${rng.pick(HOSTILE_URL_PARTS)}`);
    if (query.length) url += `?${query.join('&')}`;
    const request: FuzzRequest = { method: operation.method, url, headers: { ...headers } };
    if (operation.method === 'POST' && operation.template === '/api/v1/document') {
      const { headers: extra, payload } = documentRequest(rng);
      Object.assign(request.headers, extra);
      request.payload = payload;
    } else if (operation.body || rng.chance(0.1)) {
      const r = rng.next();
      if (r < 0.06) {
        // No body at all.
      } else if (r < 0.14) {
        request.headers['content-type'] = 'application/json';
        request.payload = rng.pick(HOSTILE_BODIES);
      } else if (r < 0.2) {
        request.headers['content-type'] = rng.pick(OTHER_CONTENT_TYPES);
        request.payload = toJsonText(valueFor(operation.body ?? {}, ctx));
      } else {
        request.headers['content-type'] = 'application/json';
        const template = TEMPLATES[`${operation.method} ${operation.template}`];
        const id = (...prefixes: string[]) => ids.pick(rng, prefixes) ?? `${prefixes[0]}_6819d804aB3xQ`;
        const value = template && mode !== 'fields' ? template(rng, id, ctx.soon)
          : operation.body ? valueFor(operation.body, ctx) : rng.pick([{}, [], { a: 1 }]);
        request.payload = toJsonText(mode === 'one' ? mutateOne(value, rng) : value);
      }
    }
    return { request, slot, caller: slot ?? (headers.authorization === bearer(ADMIN_TOKEN).authorization ? 'admin' : 'none/garbage') };
  }

  it('feeds the checker a 500 and a 4xx without message, and both are reported', () => {
    expect(responseProblem({ statusCode: 500, headers: {}, body: '{"error":"Internal Server Error","message":"boom"}' })).toMatch(/^500/);
    expect(responseProblem({ statusCode: 503, headers: {}, body: 'upstream down' })).toMatch(/^503/);
    expect(responseProblem({ statusCode: 400, headers: {}, body: '{"error":"Bad Request"}' })).toMatch(/no string message/);
    expect(responseProblem({ statusCode: 404, headers: {}, body: 'Not Found' })).toMatch(/not JSON/);
    expect(responseProblem({ statusCode: 400, headers: {}, body: '{"error":"Bad Request","message":"x","code":7}' })).toMatch(/non-string code/);
    expect(responseProblem({ statusCode: 400, headers: {}, body: '{"error":"Bad Request","message":"x","code":"VALIDATION_FAILED"}' })).toBeUndefined();
    expect(responseProblem({ statusCode: 201, headers: {}, body: '{}' })).toBeUndefined();
  });

  it(`answers below 500 with the contract's errors and leaves the ledger consistent (FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS})`, async () => {
    const rng = new Rng(SEED);
    expect(operations.length).toBeGreaterThan(90);
    const plan = rng.shuffle(operations.flatMap((operation) => Array.from({ length: RUNS }, () => operation)));
    const problems: Problem[] = [];
    const statuses = new Map<number, number>();
    const succeeded = new Set<string>();
    for (const operation of plan) {
      const { request, slot, caller: who } = generate(rng, operation);
      const response = await send(request, slot === 'sandboxSecret' || who === 'admin');
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      if (response.statusCode < 300) succeeded.add(`${operation.method} ${operation.template}`);
      if (process.env.FUZZ_TRACE && `${operation.method} ${operation.template}`.includes(process.env.FUZZ_TRACE)) {
        process.stdout.write(`trace ${request.method} ${request.url} ${String(request.payload ?? '').slice(0, 300)} -> ${response.statusCode} ${response.body.slice(0, 200)}\n`);
      }
      const problem = responseProblem(response);
      if (problem) problems.push({ operation: `${operation.method} ${operation.template}`, caller: who, request, response, problem });
      // A rotated key replaces the one it was rotated from.
      if (slot && operation.template === '/api/v1/api-keys/rotate' && response.statusCode === 200) keys[slot] = JSON.parse(response.body).secret_key;
    }
    process.stdout.write(`fuzz: ${plan.length} requests over ${operations.length} operations (seed ${SEED}); statuses ${JSON.stringify(Object.fromEntries(statuses))}; id prefixes seen: ${ids.prefixes().join(' ')}\n`);
    const neverSucceeded = operations.map((o) => `${o.method} ${o.template}`).filter((o) => !succeeded.has(o));
    process.stdout.write(`fuzz: ${neverSucceeded.length} operations never answered 2xx: ${neverSucceeded.join(', ')}\n`);

    // One line per distinct failure (operation, status, the hostile inputs it carried), with one request that reproduces it.
    const distinct = new Map<string, Problem & { count: number }>();
    for (const problem of problems) {
      const key = `${problem.operation} ${problem.response.statusCode} ${suspects(problem.request).join('+') || problem.problem.slice(0, 160)}`;
      const seen = distinct.get(key);
      if (seen) seen.count++;
      else distinct.set(key, { ...problem, count: 1 });
    }
    const report = [...distinct.values()].map((p) =>
      `${p.operation} ×${p.count} [${suspects(p.request).join(', ') || 'no known-hostile input'}] as ${p.caller}: ${p.problem}\n  ${p.request.method} ${p.request.url}\n  body: ${JSON.stringify(String(p.request.payload ?? '').slice(0, 400))}\n  ${curlFor(p.request)}`);
    if (report.length) console.error(`fuzz: ${problems.length} failing answers, ${report.length} distinct:\n${report.join('\n')}`);
    // Soft, so that the ledger is checked as well when answers failed.
    expect.soft(report).toEqual([]);

    for (const m of [merchant, other, adminTarget]) await expectLedgerConsistent(m.id);
    await expectLedgerConsistent();
  }, 120_000);
});
