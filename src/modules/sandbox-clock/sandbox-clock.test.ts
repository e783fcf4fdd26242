// The sandbox test clock: reading and advancing a sandbox environment's clock, what follows it (timestamps, ids,
// quote lifetimes, expiries, webhook retries) and what never moves (other merchants, production).
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import { hexSeconds } from '../../core/ids.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse } from '../../../test/support/contract.js';
import { v2Body } from '../../../test/support/beneficiaries.js';
import { createCustomerId } from '../../../test/support/fixtures.js';
import { describeSecurity } from '../../../test/support/security.js';
import { startReceiver, type Receiver } from '../../../test/support/webhook-receiver.js';
import { ClockAdvance, SandboxClock } from './schemas.js';

const START = '2026-03-02T10:00:00Z';
const DAY = 86_400;

let app: App;
let clock: ManualClock;
let merchant: TestMerchant;

beforeAll(async () => {
  clock = new ManualClock(START);
  ({ app } = await buildTestApp({ clock, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } }));
  merchant = await createTestMerchant(clock);
});

afterAll(async () => {
  await app.close();
});

function api(method: 'GET' | 'POST' | 'PATCH', url: string, key: string, payload?: Record<string, unknown>) {
  return app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
}

async function showClock(key: string): Promise<SandboxClock> {
  const response = await api('GET', '/api/v1/sandbox/clock', key);
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json<SandboxClock>();
  expect(Value.Check(SandboxClock, body)).toBe(true);
  return body;
}

async function advance(key: string, payload: Record<string, unknown>): Promise<ClockAdvance> {
  const response = await api('POST', '/api/v1/sandbox/clock/advance', key, payload);
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json<ClockAdvance>();
  expect(Value.Check(ClockAdvance, body)).toBe(true);
  return body;
}

const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('GET /api/v1/sandbox/clock', () => {
  it('starts at the base time with no offset', async () => {
    const fresh = await createTestMerchant(clock);
    expect(await showClock(fresh.sandboxSecret)).toEqual({ now: START, offset_seconds: 0, updated_at: START });
  });

  it('is not served to a production key (the unknown-route 404, as every sandbox helper)', async () => {
    for (const [method, url] of [['GET', '/api/v1/sandbox/clock'], ['POST', '/api/v1/sandbox/clock/advance']] as const) {
      const response = await api(method, url, merchant.productionSecret, method === 'POST' ? { seconds: 60 } : undefined);
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toMatchObject({ error: 'Not Found', code: 'ROUTE_NOT_FOUND' });
    }
  });
});

describe('POST /api/v1/sandbox/clock/advance', () => {
  it('moves the clock forward by seconds or to a time, and the answer says the new time', async () => {
    const own = await createTestMerchant(clock);
    const moved = await advance(own.sandboxSecret, { seconds: 3600 });
    expect(moved).toMatchObject({ now: plus(START, 3600), offset_seconds: 3600 });
    expect(await showClock(own.sandboxSecret)).toEqual({ now: plus(START, 3600), offset_seconds: 3600, updated_at: START });
    const to = await advance(own.sandboxSecret, { to: '2026-04-01T00:00:00Z' });
    expect(to).toMatchObject({ now: '2026-04-01T00:00:00Z', offset_seconds: (Date.parse('2026-04-01T00:00:00Z') - Date.parse(START)) / 1000 });
    // Real time keeps running under the offset.
    clock.advance(5000);
    expect((await showClock(own.sandboxSecret)).now).toBe('2026-04-01T00:00:05Z');
    clock.set(START);
  });

  it('refuses to move back, past 5 years, both or neither of seconds and to, and bad values, moving nothing', async () => {
    const own = await createTestMerchant(clock);
    await advance(own.sandboxSecret, { seconds: DAY });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ to: START }, `Validation failed: The clock cannot move back: its time is ${plus(START, DAY)}`],
      [{ seconds: 5 * 366 * DAY }, 'Validation failed: A clock moves at most 5 years per advance'],
      [{ to: '2031-03-04T10:00:01Z' }, 'Validation failed: A clock moves at most 5 years per advance'],
      [{ seconds: 60, to: '2027-01-01T00:00:00Z' }, 'Validation failed: Send either seconds or to, not both'],
      [{}, 'Validation failed: Seconds or to is required'],
      [{ seconds: -1 }, 'Validation failed: Seconds must be greater than or equal to 0'],
      [{ seconds: 1.5 }, 'Validation failed: Seconds must be an integer'],
      [{ to: 'tomorrow' }, 'Validation failed: To must be an ISO-8601 timestamp (e.g. 2025-02-18T12:03:44Z)'],
      [{ minutes: 5 }, "Validation failed: Unknown field 'minutes'"],
    ];
    for (const [payload, message] of cases) {
      const response = await api('POST', '/api/v1/sandbox/clock/advance', own.sandboxSecret, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json(), JSON.stringify(payload)).toMatchObject({ error: 'Bad Request', message });
    }
    expect((await showClock(own.sandboxSecret)).offset_seconds).toBe(DAY);
    // Exactly 5 years is allowed; a zero advance runs what is due now and moves nothing.
    expect((await advance(own.sandboxSecret, { to: plus(START, DAY).replace('2026', '2031') })).now).toBe('2031-03-03T10:00:00Z');
    expect((await advance(own.sandboxSecret, { seconds: 0 })).now).toBe('2031-03-03T10:00:00Z');
  });

  it("moves only that merchant's sandbox: another merchant's and every production environment keep real time", async () => {
    const own = await createTestMerchant(clock);
    const other = await createTestMerchant(clock);
    await advance(own.sandboxSecret, { seconds: 30 * DAY });
    expect((await showClock(other.sandboxSecret)).now).toBe(START);
    const created = async (key: string) => (await api('POST', '/api/v1/customer', key, customerBody())).json<{ id: string; created_at: string }>();
    const later = plus(START, 30 * DAY);
    const inSandbox = await created(own.sandboxSecret);
    expect(inSandbox.created_at).toBe(later);
    // The id's time prefix is the environment's time too.
    expect(inSandbox.id.slice('cust_'.length, 'cust_'.length + 8)).toBe(hexSeconds(new Date(later)));
    expect((await created(own.productionSecret)).created_at).toBe(START);
    expect((await created(other.sandboxSecret)).created_at).toBe(START);
  });

  it("stamps the operator's changes to an environment with that environment's time", async () => {
    const own = await createTestMerchant(clock);
    await advance(own.sandboxSecret, { seconds: 10 * DAY });
    const later = plus(START, 10 * DAY);
    const admin = (url: string, payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: `/admin/v1/merchants/${own.id}${url}`, headers: bearer(ADMIN_TOKEN), payload });
    const adjustment = await admin('/adjustments', { env: 'sandbox', direction: 'credit', currency: 'USD', amount: 100, reason: 'test' });
    expect(adjustment.json()).toMatchObject({ created_at: later });
    const account = await admin('/withdrawal_accounts', {
      env: 'sandbox', holder_name: 'Own Co', account_number: '12345678', bank_name: 'Barclays', currency: 'GBP', country: 'GBR',
    });
    expect(account.statusCode, account.body).toBe(201);
    expect(account.json()).toMatchObject({ created_at: later });
    const production = await admin('/adjustments', { env: 'production', direction: 'credit', currency: 'USD', amount: 100, reason: 'test' });
    expect(production.json()).toMatchObject({ created_at: START });
    expect((await app.inject({ method: 'GET', url: `/admin/v1/merchants/${own.id}/sandbox/clock`, headers: bearer(ADMIN_TOKEN) })).json())
      .toMatchObject({ now: later, offset_seconds: 10 * DAY });
  });

  it("expires a quote by the environment's clock", async () => {
    const own = await createTestMerchant(clock);
    const response = await api('POST', '/api/v1/quotes', own.sandboxSecret, {
      resource: 'balance_conversion', source_currency: 'USD', destination_currency: 'EUR', source_amount: 10_000,
    });
    expect(response.statusCode, response.body).toBe(201);
    const [quote] = response.json<{ quotes: Array<{ id: string; status: string; expires_at: string }> }>().quotes;
    if (!quote) throw new Error('no quote');
    expect(quote.status).toBe('active');
    await advance(own.sandboxSecret, { to: quote.expires_at });
    const read = await api('GET', `/api/v1/quotes/${quote.id}`, own.sandboxSecret);
    expect(read.json()).toMatchObject({ id: quote.id, status: 'expired' });
    const used = await api('POST', '/api/v1/balance_conversions', own.sandboxSecret, { quote_id: quote.id });
    expect(used.statusCode).toBe(400);
    expect(used.json()).toMatchObject({ code: 'QUOTE_EXPIRED' });
  });

  it('expires an order at its expires_at, on the way, and says what ran', async () => {
    const own = await createTestMerchant(clock);
    const customerId = await createCustomerId(app, own.sandboxSecret);
    const created = await api('POST', '/api/v1/orders', own.sandboxSecret, {
      customer_id: customerId, amount: 5000, currency: 'USD', payment_methods: ['card'],
      product: { name: 'Tea', description: 'Green tea' }, purpose_code: 'P0802',
    });
    expect(created.statusCode, created.body).toBe(201);
    const order = created.json<{ id: string; expires_at: string }>();
    const early = await advance(own.sandboxSecret, { to: plus(order.expires_at, -1) });
    expect(early.ran['orders.expire']).toBeUndefined();
    expect((await api('GET', `/api/v1/orders/${order.id}`, own.sandboxSecret)).json()).toMatchObject({ status: 'active' });
    const past = await advance(own.sandboxSecret, { seconds: 7 * DAY });
    expect(past.ran['orders.expire']).toBe(1);
    const read = await api('GET', `/api/v1/orders/${order.id}`, own.sandboxSecret);
    // Expired at its own time on the way, not at the advance's target.
    expect(read.json()).toMatchObject({ status: 'expired', updated_at: order.expires_at });
    expectResponse('get', '/orders/{id}', 200, { ...read.json<Record<string, unknown>>(), status: 'cancelled' });
    const events = (await api('GET', `/api/v1/events?per_page=100`, own.sandboxSecret)).json<{ data: Array<{ event_type: string; entity_id: string; created_at: string }> }>();
    expect(events.data.find((e) => e.entity_id === order.id && e.event_type === 'expired')?.created_at).toBe(order.expires_at);
  });

  it('expires a payment link at its expires_at', async () => {
    const own = await createTestMerchant(clock);
    const customerId = await createCustomerId(app, own.sandboxSecret);
    const created = await api('POST', '/api/v1/payin', own.sandboxSecret, {
      customer_id: customerId, amount: 5000, currency: 'USD', payment_methods: ['card'],
      product: { name: 'Tea', description: 'Green tea' }, purpose_code: 'P0802', expires_at: plus(START, 2 * DAY),
    });
    expect(created.statusCode, created.body).toBe(201);
    const link = created.json<{ id: string; expires_at: string }>();
    const moved = await advance(own.sandboxSecret, { seconds: 3 * DAY });
    expect(moved.ran['payment_links.expire']).toBe(1);
    expect((await api('GET', `/api/v1/payin/${link.id}`, own.sandboxSecret)).json()).toMatchObject({ status: 'expired', updated_at: link.expires_at });
  });
});

describe('payouts through the clock', () => {
  async function payer(settings: Record<string, unknown>): Promise<TestMerchant & { beneficiaryId: string }> {
    const own = await createTestMerchant(clock);
    if (Object.keys(settings).length > 0) {
      const patched = await app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${own.id}`, headers: bearer(ADMIN_TOKEN), payload: settings });
      expect(patched.statusCode, patched.body).toBe(200);
    }
    const beneficiary = await api('POST', '/api/v2/beneficiaries', own.sandboxSecret, v2Body());
    expect(beneficiary.statusCode, beneficiary.body).toBe(201);
    return { ...own, beneficiaryId: beneficiary.json<{ id: string }>().id };
  }
  const fund = async (own: TestMerchant, amount: number) => {
    const response = await app.inject({
      method: 'POST', url: `/admin/v1/merchants/${own.id}/adjustments`, headers: bearer(ADMIN_TOKEN),
      payload: { env: 'sandbox', direction: 'credit', currency: 'USD', amount, reason: 'test funding' },
    });
    expect(response.statusCode, response.body).toBe(201);
  };
  const payout = async (own: TestMerchant & { beneficiaryId: string }, sourceAmount: number) => {
    const response = await api('POST', '/api/v1/payouts', own.sandboxSecret, {
      beneficiary_id: own.beneficiaryId, purpose_code: 'S0017', source_currency: 'USD', destination_currency: 'USD', source_amount: sourceAmount,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string; status: string }>();
  };
  const read = async (own: TestMerchant, id: string) =>
    (await api('GET', `/api/v1/payouts/${id}`, own.sandboxSecret)).json<{ status: string; updated_at: string; error_code?: string }>();

  it("completes a released payout on the sandbox rail after its delay, at the environment's time", async () => {
    const own = await payer({});
    await fund(own, 100_000);
    const created = await payout(own, 10_000);
    expect(created.status).toBe('in_progress');
    expect((await advance(own.sandboxSecret, { seconds: 59 })).ran['payouts.rail']).toBeUndefined();
    const moved = await advance(own.sandboxSecret, { seconds: 1 });
    expect(moved.ran['payouts.rail']).toBe(1);
    expect(await read(own, created.id)).toMatchObject({ status: 'success', updated_at: plus(START, 60) });
  });

  it('releases a queued payout at the next :02/:17/:32/:47 slot of the environment, then sends it to the rail', async () => {
    const own = await payer({ payout_queueing: true });
    await fund(own, 100_000);
    // 10:00 by the clock: the next slot is 10:02.
    const queued = await payout(own, 10_000);
    expect(queued.status).toBe('queued');
    const early = await advance(own.sandboxSecret, { seconds: 119 });
    expect(early.ran['payouts.release_queue']).toBeUndefined();
    expect((await read(own, queued.id)).status).toBe('queued');
    const released = await advance(own.sandboxSecret, { seconds: 1 });
    expect(released.ran['payouts.release_queue']).toBe(1);
    expect(await read(own, queued.id)).toMatchObject({ status: 'in_progress', updated_at: '2026-03-02T10:02:00Z' });
    expect((await advance(own.sandboxSecret, { seconds: 60 })).ran['payouts.rail']).toBe(1);
    expect((await read(own, queued.id)).status).toBe('success');
  });

  // 2,881 queue slots run one after another: ~35 s on a quiet 2-vCPU machine, twice that beside a full parallel suite.
  it('fails a payout queued for 30 days with QUEUE_EXPIRED at the first slot after, each slot on the way run', async () => {
    const own = await payer({ payout_queueing: true });
    const queued = await payout(own, 10_000); // never covered
    const moved = await advance(own.sandboxSecret, { seconds: 31 * DAY });
    // 10:02 on day 0 through the first slot at or after 10:00 on day 30 (10:02), every 15 minutes.
    expect(moved.ran['payouts.release_queue']).toBe(30 * 96 + 1);
    expect(await read(own, queued.id)).toMatchObject({ status: 'failed', error_code: 'QUEUE_EXPIRED', updated_at: '2026-04-01T10:02:00Z' });
  }, 180_000);
});

describe('webhook retries through the clock', () => {
  let receiver: Receiver;
  let answers: number[];

  beforeAll(async () => {
    answers = [];
    receiver = await startReceiver(clock, (_request, index) => ({ status: answers[index] ?? 500 }));
  });
  afterAll(() => receiver.close());

  it("makes the sandbox's scheduled attempts 1, 2, 5, 10 and 30 minutes apart in the environment's time, then fails the delivery", async () => {
    const own = await createTestMerchant(clock);
    const endpoint = await api('POST', '/api/v1/webhook_endpoints', own.sandboxSecret, { url: receiver.url });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    await api('POST', '/api/v1/customer', own.sandboxSecret, customerBody());
    const first = await advance(own.sandboxSecret, { seconds: 0 });
    // The dispatch makes the first attempt itself; the delivery's job makes the five scheduled retries.
    expect(first.ran).toEqual({ 'webhooks.dispatch': 1 });
    const later = await advance(own.sandboxSecret, { seconds: 3600 });
    expect(later.ran).toEqual({ 'webhooks.deliver': 5 });
    const events = (await api('GET', '/api/v1/events', own.sandboxSecret)).json<{ data: Array<{ id: string }> }>();
    const detail = (await api('GET', `/api/v1/events/${events.data[0]!.id}`, own.sandboxSecret)).json<{
      deliveries: Array<{ status: string; attempts: number; attempt_log: Array<{ attempted_at: string; status_code: number }> }>;
    }>();
    const [delivery] = detail.deliveries;
    expect(delivery).toMatchObject({ status: 'failed', attempts: 6 });
    const times = delivery!.attempt_log.map((a) => Date.parse(a.attempted_at)).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => (t - times[i]!) / 60_000);
    expect(gaps).toEqual([1, 2, 5, 10, 30]);
    expect(receiver.received).toHaveLength(6);
  });
});

describeSecurity('GET /api/v1/sandbox/clock', { method: 'GET', url: () => '/api/v1/sandbox/clock' });
describeSecurity('POST /api/v1/sandbox/clock/advance', {
  method: 'POST', url: () => '/api/v1/sandbox/clock/advance', payload: () => ({ seconds: 1 }),
});
