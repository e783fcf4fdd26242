// When automatic settlement runs (merchants.settlement_schedule, set by the operator): one run a day per merchant
// environment at 00:30 UTC of that environment's clock (decision 0031), each run a job of queue
// `settlements.schedule` keyed by merchant, environment and day, so however many processes, requests or clock
// advances schedule a day's run, it exists once. Which payments a run settles: those paid at least `delay_days`
// calendar days (UTC) before the run's day.
import { plusDays, utcDate, utcInstant } from '../../core/calendar.js';
import { errors } from '../../core/errors.js';
import { normalizeCurrency } from '../../core/iso.js';
import { enqueueJob } from '../../core/jobs.js';
import type { UnitOfWork } from '../../core/context.js';
import type { SettlementSchedule } from '../../db/schema/index.js';
import type { SettlementSchedule as SettlementScheduleBody } from './schemas.js';

export const SETTLEMENT_SCHEDULE_QUEUE = 'settlements.schedule';

/**
 * The time of day (UTC) of the daily run: 00:30 UTC is 06:00 IST, before the business day of the merchants' Indian
 * banks and half an hour before subscriptions renew (01:00 UTC), so a run never waits behind a day's renewals.
 */
export const SCHEDULE_RUN_UTC = { hour: 0, minute: 30 } as const;

/** The first run time (00:30 UTC) strictly after `after`. */
export function nextScheduledRun(after: Date): Date {
  const today = utcDate(after);
  const run = utcInstant(today, SCHEDULE_RUN_UTC.hour, SCHEDULE_RUN_UTC.minute);
  return run.getTime() > after.getTime() ? run : utcInstant(plusDays(today, 1), SCHEDULE_RUN_UTC.hour, SCHEDULE_RUN_UTC.minute);
}

/**
 * The instant a payment must have been paid before to be settled by a run at `runAt`: the start of the day after
 * `runAt`'s day minus `delayDays`, so a payment of day P is settled by the run of day P + delayDays (delay 0: by the
 * same day's run, whatever was paid before it).
 */
export function paidCutoff(runAt: Date, delayDays: number): Date {
  return utcInstant(plusDays(utcDate(runAt), 1 - delayDays));
}

/** The bounds of the calendar day (UTC) of `at`: a day has at most one scheduled settlement per currency. */
export function dayBounds(at: Date): { from: Date; to: Date } {
  const day = utcDate(at);
  return { from: utcInstant(day), to: utcInstant(plusDays(day, 1)) };
}

/**
 * The schedule as stored, from the operator's body (its shape checked by the route's schema): currencies upper-cased,
 * each a settlement currency and named once, else 400.
 */
export function normalizeSchedule(body: SettlementScheduleBody, settlementCurrencies: readonly string[]): SettlementSchedule {
  const currencies: string[] = [];
  for (const given of body.currencies) {
    const currency = normalizeCurrency(given);
    if (!currency) throw errors.validation('Settlement schedule currencies must be valid ISO 4217 currency codes (e.g., USD)');
    if (!settlementCurrencies.includes(currency)) throw errors.unsupportedCurrency(currency, 'settlements');
    if (currencies.includes(currency)) throw errors.validation(`Settlement schedule currencies name ${currency} twice`);
    currencies.push(currency);
  }
  return { delay_days: body.delay_days, currencies };
}

/**
 * Enqueues the unit of work's tenant's run at the first run time after `after` (default: its clock's now), with its
 * handle; a second enqueue of the same day's run is a no-op. Answers the run time.
 */
export async function scheduleSettlementRun(uow: UnitOfWork, after: Date = uow.clock.now()): Promise<Date> {
  const { tenant } = uow;
  const runAt = nextScheduledRun(after);
  const day = utcDate(runAt);
  await enqueueJob(uow, {
    queue: SETTLEMENT_SCHEDULE_QUEUE,
    payload: { merchantId: tenant.merchantId, env: tenant.env, day },
    runAt,
    uniqueKey: `settlement-schedule:${tenant.merchantId}:${tenant.env}:${day}`,
  });
  return runAt;
}
