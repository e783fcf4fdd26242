// Automatic settlement on the operator's schedule (decision 0031): the PATCH setting and its security, the daily
// runs by each environment's clock, the delay, the rail's outcome, switching off, and runs that race each other.
import { and, asc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { offsetClock, systemClock } from '../../core/clock.js';
import { events, jobs, ledgerAccounts, payments, settlements } from '../../db/schema/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectAdminAbsentWithoutToken, expectAdminAuthRefused } from '../../../test/support/admin.js';
import { expectSchema } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { expectLedgerConsistent } from '../../../test/support/ledger.js';
import { registerWithdrawalAccount, settleablePayment } from '../../../test/support/settlements.js';
import { nextScheduledRun, paidCutoff, SETTLEMENT_SCHEDULE_QUEUE } from './schedule.js';
import { createSettlementService, type SettlementLog } from './service.js';

const admin = bearer(ADMIN_TOKEN);
const DAY_MS = 86_400_000;

const patchMerchant = (app: App, id: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${id}`, headers: admin, payload });

async function setSchedule(app: App, id: string, schedule: { delay_days: number; currencies: string[] } | null): Promise<void> {
  const response = await patchMerchant(app, id, { settlement_schedule: schedule });
  expect(response.statusCode, response.body).toBe(200);
}

async function sandboxNow(app: App, key: string): Promise<Date> {
  const response = await app.inject({ method: 'GET', url: '/api/v1/sandbox/clock', headers: bearer(key) });
  expect(response.statusCode, response.body).toBe(200);
  return new Date(response.json().now);
}

async function advanceTo(app: App, key: string, to: Date): Promise<Record<string, number>> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/sandbox/clock/advance', headers: bearer(key), payload: { to: to.toISOString() } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().ran;
}

/** `day` days after the start of the UTC day of `from`, plus `hh:mm:ss`. */
function dayAt(from: Date, day: number, time: string): Date {
  const start = Math.floor(from.getTime() / DAY_MS) * DAY_MS;
  return new Date(`${new Date(start + day * DAY_MS).toISOString().slice(0, 10)}T${time}Z`);
}

/** Moves the sandbox clock to 12:00 UTC of the next day and answers that day's start: the tests' day P. */
async function startOfTestDay(app: App, merchant: TestMerchant): Promise<Date> {
  const noon = dayAt(await sandboxNow(app, merchant.sandboxSecret), 1, '12:00:00');
  await advanceTo(app, merchant.sandboxSecret, noon);
  return dayAt(noon, 0, '00:00:00');
}

async function paymentSettlementId(app: App, key: string, id: string): Promise<string | null> {
  const response = await app.inject({ method: 'GET', url: `/api/v1/payment/${id}`, headers: bearer(key) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().settlement_id ?? null;
}

async function listSettlements(app: App, key: string): Promise<Array<{ id: string; status: string; amount: number; currency: string; utr?: string }>> {
  const response = await app.inject({ method: 'GET', url: '/api/v1/settlements?per_page=100', headers: bearer(key) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().data;
}

async function availableBalance(app: App, key: string, currency = 'USD'): Promise<number> {
  const body = (await app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(key) })).json();
  return (body.available as Array<{ currency: string; amount: number }>).find((b) => b.currency === currency)?.amount ?? 0;
}

async function scheduleJobs(merchantId: string, env: 'sandbox' | 'production' = 'sandbox') {
  const { database } = await testEnv();
  return database.db.select().from(jobs)
    .where(and(eq(jobs.merchantId, merchantId), eq(jobs.env, env), eq(jobs.queue, SETTLEMENT_SCHEDULE_QUEUE)))
    .orderBy(asc(jobs.runAt));
}

async function settlementRows(merchantId: string) {
  const { database } = await testEnv();
  return database.db.select().from(settlements)
    .where(and(eq(settlements.merchantId, merchantId), eq(settlements.env, 'sandbox')))
    .orderBy(asc(settlements.createdAt));
}

describe('schedule timing', () => {
  it('runs at 00:30 UTC, the first strictly after the given time', () => {
    expect(nextScheduledRun(new Date('2026-03-10T00:29:59Z')).toISOString()).toBe('2026-03-10T00:30:00.000Z');
    expect(nextScheduledRun(new Date('2026-03-10T00:30:00Z')).toISOString()).toBe('2026-03-11T00:30:00.000Z');
    expect(nextScheduledRun(new Date('2026-12-31T23:59:00Z')).toISOString()).toBe('2027-01-01T00:30:00.000Z');
  });

  it('settles a payment of day P on the run of day P + delay_days', () => {
    const run = new Date('2026-03-10T00:30:00Z');
    expect(paidCutoff(run, 2).toISOString()).toBe('2026-03-09T00:00:00.000Z');
    expect(paidCutoff(run, 0).toISOString()).toBe('2026-03-11T00:00:00.000Z');
    expect(paidCutoff(run, 30).toISOString()).toBe('2026-02-09T00:00:00.000Z');
  });
});

describe('PATCH /admin/v1/merchants/{id}: settlement_schedule', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('sets the schedule (currencies upper-cased), shows it on GET, and schedules each environment\'s first run by its own clock', async () => {
    const merchant = await createTestMerchant();
    // The sandbox clock three days ahead of real time: its first run is days after production's.
    const sandboxAt = dayAt(await sandboxNow(app, merchant.sandboxSecret), 3, '09:15:00');
    await advanceTo(app, merchant.sandboxSecret, sandboxAt);

    const response = await patchMerchant(app, merchant.id, { settlement_schedule: { delay_days: 2, currencies: ['usd', 'EUR'] } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().settlement_schedule).toEqual({ delay_days: 2, currencies: ['USD', 'EUR'] });
    const read = await app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchant.id}`, headers: admin });
    expect(read.json().settlement_schedule).toEqual({ delay_days: 2, currencies: ['USD', 'EUR'] });

    const sandboxJobs = await scheduleJobs(merchant.id, 'sandbox');
    expect(sandboxJobs.map((job) => [job.status, job.runAt.toISOString()])).toEqual([['queued', dayAt(sandboxAt, 1, '00:30:00').toISOString()]]);
    const productionJobs = await scheduleJobs(merchant.id, 'production');
    expect(productionJobs.map((job) => [job.status, job.runAt.toISOString()])).toEqual([['queued', nextScheduledRun(new Date()).toISOString()]]);

    // Set again (another delay): the day's run reads the schedule when it runs, so no second job.
    await setSchedule(app, merchant.id, { delay_days: 5, currencies: ['GBP'] });
    expect(await scheduleJobs(merchant.id, 'sandbox')).toHaveLength(1);
    expect(await scheduleJobs(merchant.id, 'production')).toHaveLength(1);
    // Another setting leaves the schedule as it is.
    const other = await patchMerchant(app, merchant.id, { payout_queueing: true });
    expect(other.json()).toMatchObject({ payout_queueing: true, settlement_schedule: { delay_days: 5, currencies: ['GBP'] } });

    const off = await patchMerchant(app, merchant.id, { settlement_schedule: null });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().settlement_schedule).toBeNull();
    expect((await app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchant.id}`, headers: admin })).json().settlement_schedule).toBeNull();
  });

  it.each([
    [{ delay_days: 31, currencies: ['USD'] }, 'VALIDATION_FAILED', 'Validation failed: Settlement schedule delay days must be between 0 and 30'],
    [{ delay_days: -1, currencies: ['USD'] }, 'VALIDATION_FAILED', 'Validation failed: Settlement schedule delay days must be between 0 and 30'],
    [{ delay_days: 1.5, currencies: ['USD'] }, 'VALIDATION_FAILED', 'Validation failed: Settlement schedule delay days must be an integer'],
    [{ delay_days: '2', currencies: ['USD'] }, 'VALIDATION_FAILED', 'Validation failed: Settlement schedule delay days must be an integer'],
    [{ currencies: ['USD'] }, 'VALIDATION_FAILED', "Validation failed: Delay days can't be blank"],
    [{ delay_days: 2 }, 'VALIDATION_FAILED', "Validation failed: Currencies can't be blank"],
    [{ delay_days: 2, currencies: [] }, 'VALIDATION_FAILED', 'Validation failed: Settlement schedule currencies is invalid'],
    [{ delay_days: 2, currencies: 'USD' }, 'VALIDATION_FAILED', 'Validation failed: Settlement schedule currencies must be an array'],
    [{ delay_days: 2, currencies: ['XYZ'] }, 'VALIDATION_FAILED', 'Validation failed: Settlement schedule currencies must be valid ISO 4217 currency codes (e.g., USD)'],
    [{ delay_days: 2, currencies: [7] }, 'VALIDATION_FAILED', 'Validation failed: Settlement schedule currencies 0 must be a string'],
    [{ delay_days: 2, currencies: ['INR'] }, 'UNSUPPORTED_CURRENCY', 'Currency INR is not supported for settlements'],
    [{ delay_days: 2, currencies: ['usd', 'USD'] }, 'VALIDATION_FAILED', 'Validation failed: Settlement schedule currencies name USD twice'],
    [{ delay_days: 2, currencies: ['USD'], hour: 3 }, 'VALIDATION_FAILED', "Validation failed: Unknown field 'hour'"],
    [5, 'VALIDATION_FAILED', 'Validation failed: Settlement schedule must be an object'],
    ['off', 'VALIDATION_FAILED', 'Validation failed: Settlement schedule must be an object'],
  ])('refuses %o with 400 and changes nothing', async (schedule, code, message) => {
    const merchant = await createTestMerchant();
    await setSchedule(app, merchant.id, { delay_days: 1, currencies: ['USD'] });
    const response = await patchMerchant(app, merchant.id, { settlement_schedule: schedule });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message, code });
    const read = await app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchant.id}`, headers: admin });
    expect(read.json().settlement_schedule).toEqual({ delay_days: 1, currencies: ['USD'] });
  });

  it('answers only to the admin token (401 otherwise), and does not exist without ADMIN_TOKEN', async () => {
    const merchant = await createTestMerchant();
    const routes = [
      { method: 'PATCH' as const, url: `/admin/v1/merchants/${merchant.id}`, payload: { settlement_schedule: { delay_days: 0, currencies: ['USD'] } } },
      { method: 'PATCH' as const, url: `/admin/v1/merchants/${merchant.id}`, payload: { settlement_schedule: null } },
    ];
    await expectAdminAuthRefused(app, routes, merchant.sandboxSecret);
    await expectAdminAuthRefused(app, routes, merchant.productionSecret);
    await expectAdminAbsentWithoutToken(routes);
    // Nothing was set by the refused requests.
    expect((await app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchant.id}`, headers: admin })).json().settlement_schedule).toBeNull();
    expect(await scheduleJobs(merchant.id)).toEqual([]);
  });
});

describe('scheduled settlement runs', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('delay 2 days: settles a day\'s payments on the second day after, not before, as one schedule settlement carried to success by the rail', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await registerWithdrawalAccount(app, merchant.id);
    const p = await startOfTestDay(app, merchant);
    const first = await settleablePayment(app, key, 10_000);
    const second = await settleablePayment(app, key, 2_500);
    const pending = await settleablePayment(app, key, 4_000, { available: false });
    const euro = await settleablePayment(app, key, 3_000, { currency: 'EUR' });
    await setSchedule(app, merchant.id, { delay_days: 2, currencies: ['USD'] });

    // Day P+1: the run finds nothing paid two days before.
    const dayOne = await advanceTo(app, key, dayAt(p, 1, '00:30:30'));
    expect(dayOne[SETTLEMENT_SCHEDULE_QUEUE]).toBe(1);
    expect(await listSettlements(app, key)).toEqual([]);
    expect(await paymentSettlementId(app, key, first)).toBeNull();
    // Paid on P+1: not due before P+3.
    const later = await settleablePayment(app, key, 700);

    const dayTwo = await advanceTo(app, key, dayAt(p, 2, '00:30:30'));
    expect(dayTwo[SETTLEMENT_SCHEDULE_QUEUE]).toBe(1);
    const [settlement, ...others] = await listSettlements(app, key);
    expect(others).toEqual([]);
    expectSchema('Settlement', settlement);
    expect(settlement).toMatchObject({ status: 'in_progress', amount: 12_500, currency: 'USD' });
    // Opened at the run's time (the clock stepped to 00:30; real time runs on beneath it by a few milliseconds).
    expect(Date.parse((settlement as unknown as { created_at: string }).created_at) - dayAt(p, 2, '00:30:00').getTime()).toBeLessThan(1000);
    expect((await settlementRows(merchant.id)).map((row) => row.kind)).toEqual(['schedule']);
    expect(await paymentSettlementId(app, key, first)).toBe(settlement!.id);
    expect(await paymentSettlementId(app, key, second)).toBe(settlement!.id);
    // Not available, another currency than scheduled, paid too late: left for later.
    for (const id of [pending, euro, later]) expect(await paymentSettlementId(app, key, id)).toBeNull();
    expect(await availableBalance(app, key)).toBe(700);

    await advanceTo(app, key, dayAt(p, 2, '00:35:00'));
    const done = (await app.inject({ method: 'GET', url: `/api/v1/settlements/${settlement!.id}`, headers: bearer(key) })).json();
    expectSchema('Settlement', done);
    expect(done).toMatchObject({ status: 'success', utr: expect.stringMatching(/^GLMOSB[0-9A-Z]{14}$/) });
    const { database } = await testEnv();
    const recorded = await database.db.select().from(events).where(eq(events.entityId, settlement!.id)).orderBy(events.seq);
    expect(recorded.map((event) => [event.entityType, event.eventType])).toEqual([['settlement', 'in_progress'], ['settlement', 'success']]);

    // Day P+3 settles the payment of P+1, and the next run is queued for P+4.
    await advanceTo(app, key, dayAt(p, 3, '00:30:30'));
    const settled = await listSettlements(app, key);
    expect(settled.map((s) => s.amount)).toEqual([700, 12_500]);
    expect(await paymentSettlementId(app, key, later)).toBe(settled[0]!.id);
    const queued = (await scheduleJobs(merchant.id)).filter((job) => job.status === 'queued');
    expect(queued.map((job) => job.runAt.toISOString())).toEqual([dayAt(p, 4, '00:30:00').toISOString()]);
    await expectLedgerConsistent(merchant.id);
  });

  it('a withdrawal account ending in 9910 fails the settlement: funds back to available, the payments free again', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await registerWithdrawalAccount(app, merchant.id, { account_number: '12349910' });
    const p = await startOfTestDay(app, merchant);
    const paid = await settleablePayment(app, key, 7_000);
    await setSchedule(app, merchant.id, { delay_days: 0, currencies: ['USD'] });

    await advanceTo(app, key, dayAt(p, 1, '00:30:30'));
    const [opened] = await listSettlements(app, key);
    expect(opened).toMatchObject({ status: 'in_progress', amount: 7_000 });
    expect(await availableBalance(app, key)).toBe(0);

    await advanceTo(app, key, dayAt(p, 1, '00:35:00'));
    const failed = (await app.inject({ method: 'GET', url: `/api/v1/settlements/${opened!.id}`, headers: bearer(key) })).json();
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed).not.toHaveProperty('utr');
    expect(await availableBalance(app, key)).toBe(7_000);
    expect(await paymentSettlementId(app, key, paid)).toBeNull();
    const { database } = await testEnv();
    const [held] = await database.db.select().from(ledgerAccounts).where(and(
      eq(ledgerAccounts.merchantId, merchant.id), eq(ledgerAccounts.env, 'sandbox'), eq(ledgerAccounts.currency, 'USD'), eq(ledgerAccounts.purpose, 'held'),
    ));
    expect(held?.balance ?? 0n).toBe(0n);
    await expectLedgerConsistent(merchant.id);
  });

  it('null stops it: the queued run finds no schedule, settles nothing and schedules nothing', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await registerWithdrawalAccount(app, merchant.id);
    const p = await startOfTestDay(app, merchant);
    const paid = await settleablePayment(app, key, 5_000);
    await setSchedule(app, merchant.id, { delay_days: 0, currencies: ['USD'] });
    await setSchedule(app, merchant.id, null);

    const ran = await advanceTo(app, key, dayAt(p, 4, '12:00:00'));
    expect(ran[SETTLEMENT_SCHEDULE_QUEUE]).toBe(1);
    expect(await listSettlements(app, key)).toEqual([]);
    expect(await paymentSettlementId(app, key, paid)).toBeNull();
    expect((await scheduleJobs(merchant.id)).map((job) => job.status)).toEqual(['done']);

    // Switched on again: the next 00:30 of the sandbox's clock, which settles.
    await setSchedule(app, merchant.id, { delay_days: 0, currencies: ['USD'] });
    await advanceTo(app, key, dayAt(p, 5, '00:30:30'));
    expect((await listSettlements(app, key)).map((s) => s.amount)).toEqual([5_000]);
  });

  it('without a withdrawal account: no settlement, no crash (each day\'s job done once, the next one queued), and it is logged', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const p = await startOfTestDay(app, merchant);
    await settleablePayment(app, key, 5_000);
    await setSchedule(app, merchant.id, { delay_days: 0, currencies: ['USD'] });
    const ran = await advanceTo(app, key, dayAt(p, 2, '12:00:00'));
    expect(ran[SETTLEMENT_SCHEDULE_QUEUE]).toBe(2);
    expect(await listSettlements(app, key)).toEqual([]);
    expect((await scheduleJobs(merchant.id)).map((job) => [job.status, job.attempts, job.lastError])).toEqual([
      ['done', 1, null], ['done', 1, null], ['queued', 0, null],
    ]);

    // The same run through a service with a log: the skip is reported with its reason.
    const { database } = await testEnv();
    const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
    const log: SettlementLog = {
      info: (fields, message) => lines.push({ level: 'info', fields, message }),
      warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    };
    const service = createSettlementService({ db: database.db, railDelaySeconds: 60, realTime: systemClock, log });
    const clock = offsetClock(systemClock, dayAt(p, 3, '00:30:00').getTime() - Date.now());
    const result = await service.runSchedule({ tenant: { merchantId: merchant.id, env: 'sandbox' }, clock });
    expect(result).toMatchObject({ scheduled: true, settled: [], skipped: [{ currency: 'USD', reason: 'no_withdrawal_account' }] });
    expect(lines).toEqual([{
      level: 'warn', message: 'scheduled settlement skipped',
      fields: expect.objectContaining({ merchant_id: merchant.id, env: 'sandbox', currency: 'USD', reason: 'no_withdrawal_account' }),
    }]);
  });

  it('production runs by real time and settles nothing while production has no bank connection', async () => {
    const merchant = await createTestMerchant();
    await registerWithdrawalAccount(app, merchant.id, { env: 'production' });
    await setSchedule(app, merchant.id, { delay_days: 0, currencies: ['USD'] });
    const [job] = await scheduleJobs(merchant.id, 'production');
    expect(job!.runAt.toISOString()).toBe(nextScheduledRun(new Date()).toISOString());

    const tenant = { merchantId: merchant.id, env: 'production' as const };
    const clock = offsetClock(systemClock, job!.runAt.getTime() - Date.now());
    const result = await app.services.settlements.runSchedule({ tenant, clock });
    expect(result).toMatchObject({ scheduled: true, settled: [], skipped: [{ currency: 'USD', reason: 'settlements_unavailable' }] });
    expect(result.next!.toISOString()).toBe(new Date(job!.runAt.getTime() + DAY_MS).toISOString());
    expect((await scheduleJobs(merchant.id, 'production')).map((row) => row.runAt.toISOString()))
      .toEqual([job!.runAt.toISOString(), result.next!.toISOString()]);
  });

  it('advancing several days at once runs one job per day, each day\'s key once, however many advances and PATCHes race', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await registerWithdrawalAccount(app, merchant.id);
    const p = await startOfTestDay(app, merchant);
    await settleablePayment(app, key, 1_000);
    await Promise.all([1, 2, 3].map(() => setSchedule(app, merchant.id, { delay_days: 0, currencies: ['USD'] })));

    const ran = await advanceTo(app, key, dayAt(p, 5, '12:00:00'));
    expect(ran[SETTLEMENT_SCHEDULE_QUEUE]).toBe(5);
    // Two advances of 36 hours at once: the second waits for the first; together they run each of the 3 days once.
    const advanceBy = async (seconds: number) => {
      const response = await app.inject({ method: 'POST', url: '/api/v1/sandbox/clock/advance', headers: bearer(key), payload: { seconds } });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().ran as Record<string, number>;
    };
    const both = await Promise.all([advanceBy(36 * 3600), advanceBy(36 * 3600)]);
    expect(both.reduce((sum, r) => sum + (r[SETTLEMENT_SCHEDULE_QUEUE] ?? 0), 0)).toBe(3);
    const rows = await scheduleJobs(merchant.id);
    expect(rows.map((job) => job.runAt.toISOString())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((day) => dayAt(p, day, '00:30:00').toISOString()));
    expect(rows.map((job) => job.status)).toEqual([...Array(8).fill('done'), 'queued']);
    expect(new Set(rows.map((job) => job.uniqueKey)).size).toBe(9);
    // One settlement on the first day; every later day found nothing left.
    expect((await listSettlements(app, key)).map((s) => s.amount)).toEqual([1_000]);
    await expectLedgerConsistent(merchant.id);
  });

  it('a day\'s run made twice (a job run again after a lost lease) settles each currency once that day', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await registerWithdrawalAccount(app, merchant.id);
    const p = await startOfTestDay(app, merchant);
    await settleablePayment(app, key, 1_000);
    await setSchedule(app, merchant.id, { delay_days: 0, currencies: ['USD'] });
    await advanceTo(app, key, dayAt(p, 1, '00:30:30'));
    // A payment paid after the run: the day's second run must not settle it (tomorrow's will).
    const late = await settleablePayment(app, key, 2_000);
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    const clock = offsetClock(systemClock, dayAt(p, 1, '00:31:00').getTime() - Date.now());
    const again = await app.services.settlements.runSchedule({ tenant, clock });
    expect(again.skipped).toEqual([{ currency: 'USD', reason: 'already_settled_today' }]);
    expect(await paymentSettlementId(app, key, late)).toBeNull();
    expect((await listSettlements(app, key)).map((s) => s.amount)).toEqual([1_000]);
    await expectLedgerConsistent(merchant.id);
  });

  it('concurrent triggers and scheduled runs never settle a payment twice nor overdraw the balance', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await registerWithdrawalAccount(app, merchant.id);
    const p = await startOfTestDay(app, merchant);
    const amounts = [1_000, 2_000, 3_000, 4_000, 5_000, 6_000];
    const ids: string[] = [];
    for (const amount of amounts) ids.push(await settleablePayment(app, key, amount));
    await setSchedule(app, merchant.id, { delay_days: 0, currencies: ['USD'] });

    const trigger = () => app.inject({ method: 'POST', url: '/api/v1/settlements/mock-trigger', headers: bearer(key) });
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    const runAt = dayAt(p, 1, '00:30:00');
    const clock = offsetClock(systemClock, runAt.getTime() - Date.now());
    // The day's job through an advance, two more runs straight through the service (as other processes would), and triggers.
    const answers = await Promise.all([
      advanceTo(app, key, dayAt(p, 1, '00:30:30')),
      app.services.settlements.runSchedule({ tenant, clock }),
      app.services.settlements.runSchedule({ tenant, clock }),
      trigger(), trigger(), trigger(),
    ]);
    for (const response of answers.slice(3)) expect((response as { statusCode: number }).statusCode).toBe(200);

    const rows = await settlementRows(merchant.id);
    expect(rows.filter((row) => row.kind === 'schedule').length).toBeLessThanOrEqual(1);
    expect(rows.reduce((sum, row) => sum + row.amount, 0n)).toBe(BigInt(amounts.reduce((a, b) => a + b, 0)));
    const { database } = await testEnv();
    const settledBy = await database.db.select({ id: payments.id, settlementId: payments.settlementId }).from(payments)
      .where(and(eq(payments.merchantId, merchant.id), eq(payments.env, 'sandbox')));
    expect(settledBy).toHaveLength(ids.length);
    // Each payment names one settlement, and each settlement's amount is exactly the net of the payments that name it.
    for (const row of rows) {
      const mine = settledBy.filter((payment) => payment.settlementId === row.id).map((payment) => amounts[ids.indexOf(payment.id)]!);
      expect(BigInt(mine.reduce((a, b) => a + b, 0))).toBe(row.amount);
    }
    // What no settlement took (a run rolled back after a trigger had passed) is still available, to the unit.
    const unsettled = settledBy.filter((payment) => payment.settlementId === null).map((payment) => amounts[ids.indexOf(payment.id)]!);
    expect(await availableBalance(app, key)).toBe(unsettled.reduce((a, b) => a + b, 0));
    await advanceTo(app, key, dayAt(p, 1, '00:40:00'));
    expect((await listSettlements(app, key)).every((s) => s.status === 'success')).toBe(true);
    await expectLedgerConsistent(merchant.id);
  });

  it('settles only what the available balance still covers, oldest payments first', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await registerWithdrawalAccount(app, merchant.id);
    const p = await startOfTestDay(app, merchant);
    const oldest = await settleablePayment(app, key, 3_000);
    const newer = await settleablePayment(app, key, 4_000);
    // Part of the balance leaves by an operator debit (as a payout would spend it): 7,000 paid, 5,000 left.
    const debit = await app.inject({
      method: 'POST', url: `/admin/v1/merchants/${merchant.id}/adjustments`, headers: admin,
      payload: { env: 'sandbox', direction: 'debit', currency: 'USD', amount: 2_000, reason: 'test spend' },
    });
    expect(debit.statusCode, debit.body).toBe(201);
    await setSchedule(app, merchant.id, { delay_days: 0, currencies: ['USD'] });
    await advanceTo(app, key, dayAt(p, 1, '00:30:30'));
    expect((await listSettlements(app, key)).map((s) => s.amount)).toEqual([3_000]);
    expect(await paymentSettlementId(app, key, oldest)).not.toBeNull();
    expect(await paymentSettlementId(app, key, newer)).toBeNull();
    expect(await availableBalance(app, key)).toBe(2_000);
    await expectLedgerConsistent(merchant.id);
  });
});
