import { and, count, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Tx } from '../db/client.js';
import { ledgerAccounts, ledgerEntries, ledgerHolds, ledgerJournals } from '../db/schema/index.js';
import type { Tenant } from '../core/tenancy.js';
import { createTestChild, createTestPlatform } from '../../test/support/platform.js';
import {
  findHold, holdFunds, holdIncomingFunds, LedgerInvariantError, postHold, postJournal, verifyLedger, voidHold, type Hold, type PostHoldInput,
} from './index.js';
import {
  balanceMaps,
  clock,
  database,
  inTx,
  journalsForCause,
  linger,
  newTenant,
  seed,
  storedBalance,
  uniqueCause,
} from '../../test/support/ledger-helpers.js';

async function hold(tenant: Tenant, amount: bigint, currency = 'USD'): Promise<Hold> {
  const result = await inTx((tx) => holdFunds({ tx, clock, tenant }, { currency, amount, cause: uniqueCause('payout') }));
  if (!result.ok) throw new Error(`hold failed: ${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
  return result.hold;
}

/** A hold of money just received (clearing -> held), committed in its own transaction. */
const holdIncoming = (tenant: Tenant, amount: bigint, currency = 'USD') =>
  inTx((tx) => holdIncomingFunds({ tx, clock, tenant }, { currency, amount, cause: uniqueCause('payment') }));

const post = (tenant: Tenant, holdId: string, input?: PostHoldInput) => inTx((tx) => postHold({ tx, clock, tenant }, holdId, input));
const release = (tenant: Tenant, holdId: string) => inTx((tx) => voidHold({ tx, clock, tenant }, holdId));

async function journalKindsOfHold(holdId: string): Promise<string[]> {
  const { db } = await database();
  const rows = await db.select({ kind: ledgerJournals.kind }).from(ledgerJournals).where(eq(ledgerJournals.holdId, holdId));
  return rows.map((r) => r.kind).sort();
}

/** The entries of the journal that posted or voided a hold, as `purpose currency amount`, sorted. */
async function resolutionEntries(holdId: string): Promise<string[]> {
  const { db } = await database();
  const rows = await db
    .select({ journalId: ledgerJournals.id, purpose: ledgerAccounts.purpose, currency: ledgerEntries.currency, amount: ledgerEntries.amount })
    .from(ledgerEntries)
    .innerJoin(ledgerJournals, eq(ledgerJournals.id, ledgerEntries.journalId))
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
    .where(and(eq(ledgerJournals.holdId, holdId), inArray(ledgerJournals.kind, ['hold_post', 'hold_void'])));
  expect(new Set(rows.map((r) => r.journalId)).size).toBe(1);
  return rows.map((r) => `${r.purpose} ${r.currency} ${r.amount}`).sort();
}

async function holdCount(tenant: Tenant): Promise<number> {
  const { db } = await database();
  const [row] = await db
    .select({ n: count() })
    .from(ledgerHolds)
    .where(and(eq(ledgerHolds.merchantId, tenant.merchantId), eq(ledgerHolds.env, tenant.env)));
  return Number(row!.n);
}

/** Runs n transactions at once, each held open a moment after its ledger call so they overlap on PostgreSQL. */
function inParallel<T>(n: number, fn: (tx: Tx, i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      inTx(async (tx) => {
        const result = await fn(tx, i);
        await linger();
        return result;
      }),
    ),
  );
}

async function expectHealthyLedger(...tenants: Tenant[]) {
  const { db } = await database();
  const whole = await verifyLedger(db);
  expect(whole.problems).toEqual([]);
  expect(whole.ok).toBe(true);
  for (const tenant of tenants) {
    const scoped = await verifyLedger(db, { merchantId: tenant.merchantId });
    expect(scoped).toMatchObject({ ok: true, problems: [], scope: { merchantId: tenant.merchantId } });
  }
}

describe('holdFunds', () => {
  it('moves the amount from available to held; held funds are in neither getBalances list', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 10_000n);
    const cause = uniqueCause('payout');
    const result = await inTx((tx) => holdFunds({ tx, clock, tenant }, { currency: 'USD', amount: 3_000n, cause, memo: 'payout hold' }));
    expect(result).toEqual({
      ok: true,
      hold: {
        id: expect.stringMatching(/^hold_/),
        currency: 'USD',
        amount: 3_000n,
        status: 'pending',
        causeType: cause.type,
        causeId: cause.id,
        createdAt: expect.any(Date),
        resolvedAt: null,
      },
    });
    expect(await balanceMaps(tenant)).toEqual({ available: { USD: 7_000n }, pending: { USD: 0n } });
    expect(await storedBalance(tenant, 'USD', 'held')).toBe(3_000n);
    if (!result.ok) throw new Error('unreachable');
    expect(await findHold((await database()).db, tenant, result.hold.id)).toEqual(result.hold);
    expect(await journalKindsOfHold(result.hold.id)).toEqual(['hold']);
  });

  it('answers insufficient_funds for a hold beyond available, writing no hold and no journal', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 1_000n);
    const cause = uniqueCause('payout');
    const result = await inTx((tx) => holdFunds({ tx, clock, tenant }, { currency: 'USD', amount: 1_250n, cause }));
    expect(result).toMatchObject({ ok: false, reason: 'insufficient_funds', purpose: 'available', currency: 'USD', balance: 1_000n, shortfall: 250n });
    expect(await holdCount(tenant)).toBe(0);
    expect(await journalsForCause(cause.id)).toEqual({ journals: 0, entries: 0 });
    expect(await balanceMaps(tenant)).toEqual({ available: { USD: 1_000n }, pending: { USD: 0n } });
    expect(await storedBalance(tenant, 'USD', 'held')).toBe(0n);
  });

  it.each([0n, -5n])('throws LedgerInvariantError on a hold of %s', async (amount) => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 1_000n);
    await expect(inTx((tx) => holdFunds({ tx, clock, tenant }, { currency: 'USD', amount, cause: uniqueCause() }))).rejects.toBeInstanceOf(LedgerInvariantError);
    expect(await holdCount(tenant)).toBe(0);
  });
});

describe('postHold and voidHold', () => {
  it('posts the whole hold to clearing by default', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 10_000n);
    const held = await hold(tenant, 3_000n);
    const result = await post(tenant, held.id);
    expect(result).toEqual({ ok: true, hold: { ...held, status: 'posted', resolvedAt: expect.any(Date) } });
    expect(await balanceMaps(tenant)).toEqual({ available: { USD: 7_000n }, pending: { USD: 0n } });
    expect(await storedBalance(tenant, 'USD', 'held')).toBe(0n);
    expect(await storedBalance(tenant, 'USD', 'clearing')).toBe(3_000n);
    expect(await findHold((await database()).db, tenant, held.id)).toMatchObject({ status: 'posted', resolvedAt: expect.any(Date) });
    expect(await journalKindsOfHold(held.id)).toEqual(['hold', 'hold_post']);
  });

  it('posts to explicit destinations, and a partial post returns the remainder to available', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 10_000n);
    const held = await hold(tenant, 3_000n);
    const result = await post(tenant, held.id, {
      destinations: [
        { account: { purpose: 'fees', currency: 'USD' }, amount: 500n },
        { account: { purpose: 'pending', currency: 'USD' }, amount: 1_000n },
        { account: { purpose: 'clearing', currency: 'USD' }, amount: 400n },
      ],
    });
    expect(result).toMatchObject({ ok: true, hold: { id: held.id, status: 'posted', amount: 3_000n } });
    // 3,000 held: 500 fees + 1,000 pending + 400 leaving through clearing, the other 1,100 back to available.
    expect(await balanceMaps(tenant)).toEqual({ available: { USD: 8_100n }, pending: { USD: 1_000n } });
    expect(await storedBalance(tenant, 'USD', 'held')).toBe(0n);
    expect(await storedBalance(tenant, 'USD', 'fees')).toBe(500n);
    expect(await storedBalance(tenant, 'USD', 'clearing')).toBe(400n);
    await expectHealthyLedger(tenant);
  });

  it('refuses destinations beyond the hold, in another currency, not positive or held, and the hold stays pending', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 10_000n);
    const held = await hold(tenant, 3_000n);
    const bad: PostHoldInput[] = [
      { destinations: [{ account: { purpose: 'clearing', currency: 'USD' }, amount: 3_001n }] },
      { destinations: [{ account: { purpose: 'clearing', currency: 'USD' }, amount: 2_000n }, { account: { purpose: 'fees', currency: 'USD' }, amount: 1_001n }] },
      { destinations: [{ account: { purpose: 'clearing', currency: 'EUR' }, amount: 100n }] },
      { destinations: [{ account: { purpose: 'clearing', currency: 'USD' }, amount: 0n }] },
      // Posting into a held account would leave it out of step with the pending holds.
      { destinations: [{ account: { purpose: 'held', currency: 'USD' }, amount: 100n }] },
    ];
    for (const input of bad) await expect(post(tenant, held.id, input)).rejects.toBeInstanceOf(LedgerInvariantError);
    expect(await findHold((await database()).db, tenant, held.id)).toMatchObject({ status: 'pending', resolvedAt: null });
    expect(await journalKindsOfHold(held.id)).toEqual(['hold']);
    expect(await storedBalance(tenant, 'USD', 'held')).toBe(3_000n);
  });

  it('voids a hold, returning its funds to available', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'JPY', 10_000n);
    const held = await hold(tenant, 3_000n, 'JPY');
    const result = await release(tenant, held.id);
    expect(result).toEqual({ ok: true, hold: { ...held, status: 'voided', resolvedAt: expect.any(Date) } });
    expect(await balanceMaps(tenant)).toEqual({ available: { JPY: 10_000n }, pending: { JPY: 0n } });
    expect(await storedBalance(tenant, 'JPY', 'held')).toBe(0n);
    expect(await journalKindsOfHold(held.id)).toEqual(['hold', 'hold_void']);
  });

  it('resolves a hold once: a second post, a post after a void, a void after a post answer hold_already_resolved', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 10_000n);
    const posted = await hold(tenant, 1_000n);
    const voided = await hold(tenant, 2_000n);
    expect((await post(tenant, posted.id)).ok).toBe(true);
    expect((await release(tenant, voided.id)).ok).toBe(true);
    const after = await balanceMaps(tenant);
    expect(after).toEqual({ available: { USD: 9_000n }, pending: { USD: 0n } });

    expect(await post(tenant, posted.id)).toEqual({ ok: false, reason: 'hold_already_resolved', status: 'posted' });
    expect(await release(tenant, posted.id)).toEqual({ ok: false, reason: 'hold_already_resolved', status: 'posted' });
    expect(await post(tenant, voided.id)).toEqual({ ok: false, reason: 'hold_already_resolved', status: 'voided' });
    expect(await release(tenant, voided.id)).toEqual({ ok: false, reason: 'hold_already_resolved', status: 'voided' });

    expect(await balanceMaps(tenant)).toEqual(after);
    expect(await storedBalance(tenant, 'USD', 'held')).toBe(0n);
    expect(await storedBalance(tenant, 'USD', 'clearing')).toBe(1_000n);
    expect(await journalKindsOfHold(posted.id)).toEqual(['hold', 'hold_post']);
    expect(await journalKindsOfHold(voided.id)).toEqual(['hold', 'hold_void']);
  });

  it('answers hold_not_found for an unknown id, and for another tenant’s hold, which stays pending', async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    const production: Tenant = { merchantId: tenant.merchantId, env: 'production' };
    await seed(tenant, 'USD', 10_000n);
    const held = await hold(tenant, 1_000n);

    expect(await post(tenant, 'hold_doesnotexist00000')).toEqual({ ok: false, reason: 'hold_not_found' });
    expect(await release(tenant, 'hold_doesnotexist00000')).toEqual({ ok: false, reason: 'hold_not_found' });
    for (const stranger of [other, production]) {
      expect(await post(stranger, held.id)).toEqual({ ok: false, reason: 'hold_not_found' });
      expect(await release(stranger, held.id)).toEqual({ ok: false, reason: 'hold_not_found' });
      expect(await findHold((await database()).db, stranger, held.id)).toBeUndefined();
    }
    expect(await findHold((await database()).db, tenant, held.id)).toMatchObject({ status: 'pending' });
    expect(await storedBalance(tenant, 'USD', 'held')).toBe(1_000n);
    expect(await journalKindsOfHold(held.id)).toEqual(['hold']);
  });
});

describe('holdIncomingFunds', () => {
  it('moves money just received from clearing to held in one journal, leaving available alone; the hold is pending', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'EUR', 1_000n);
    const cause = uniqueCause('payment');
    const held = await inTx((tx) => holdIncomingFunds({ tx, clock, tenant }, { currency: 'EUR', amount: 9_250n, cause, memo: 'unmatched transfer' }));
    expect(held).toEqual({
      id: expect.stringMatching(/^hold_/),
      currency: 'EUR',
      amount: 9_250n,
      status: 'pending',
      causeType: cause.type,
      causeId: cause.id,
      createdAt: expect.any(Date),
      resolvedAt: null,
    });
    expect(await findHold((await database()).db, tenant, held.id)).toEqual(held);
    // The platform's clearing account goes negative: an incoming hold never lacks funds.
    expect(await storedBalance(tenant, 'EUR', 'clearing')).toBe(-9_250n);
    expect(await storedBalance(tenant, 'EUR', 'held')).toBe(9_250n);
    expect(await balanceMaps(tenant)).toEqual({ available: { EUR: 1_000n }, pending: { EUR: 0n } });
    expect(await journalKindsOfHold(held.id)).toEqual(['hold']);
    expect(await journalsForCause(cause.id)).toEqual({ journals: 1, entries: 2 });
    await expectHealthyLedger(tenant);
  });

  it('is posted like any hold: to pending and fees, nothing back to available', async () => {
    const tenant = await newTenant();
    const held = await holdIncoming(tenant, 10_000n);
    const result = await post(tenant, held.id, {
      destinations: [
        { account: { purpose: 'fees', currency: 'USD' }, amount: 250n },
        { account: { purpose: 'pending', currency: 'USD' }, amount: 9_750n },
      ],
    });
    expect(result).toEqual({ ok: true, hold: { ...held, status: 'posted', resolvedAt: expect.any(Date) } });
    expect(await balanceMaps(tenant)).toEqual({ available: { USD: 0n }, pending: { USD: 9_750n } });
    expect(await storedBalance(tenant, 'USD', 'held')).toBe(0n);
    expect(await storedBalance(tenant, 'USD', 'clearing')).toBe(-10_000n);
    expect(await resolutionEntries(held.id)).toEqual(['fees USD 250', 'held USD -10000', 'pending USD 9750']);
    await expectHealthyLedger(tenant);
  });

  it.each([0n, -5n])('throws LedgerInvariantError on an incoming hold of %s, writing nothing', async (amount) => {
    const tenant = await newTenant();
    const cause = uniqueCause('payment');
    await expect(inTx((tx) => holdIncomingFunds({ tx, clock, tenant }, { currency: 'USD', amount, cause }))).rejects.toBeInstanceOf(LedgerInvariantError);
    expect(await holdCount(tenant)).toBe(0);
    expect(await journalsForCause(cause.id)).toEqual({ journals: 0, entries: 0 });
    expect(await storedBalance(tenant, 'USD', 'held')).toBeUndefined();
  });
});

describe('postHold with otherLegs', () => {
  // An FX-shaped post of EUR 92.50 received for a USD 100.00 payin: the EUR legs (the hold's currency) are its
  // destinations, fx_fee and the platform's fx position; the USD legs (fx out, the txn fee, the merchant's pending)
  // balance among themselves.
  const fxPost: PostHoldInput = {
    destinations: [
      { account: { purpose: 'fees', currency: 'EUR' }, amount: 50n },
      { account: { purpose: 'fx', currency: 'EUR' }, amount: 9_200n },
    ],
    otherLegs: [
      { account: { purpose: 'fx', currency: 'USD' }, amount: -10_000n },
      { account: { purpose: 'fees', currency: 'USD' }, amount: 250n },
      { account: { purpose: 'pending', currency: 'USD' }, amount: 9_750n },
    ],
  };

  it('posts the hold and the other-currency legs in one journal', async () => {
    const tenant = await newTenant();
    const held = await holdIncoming(tenant, 9_250n, 'EUR');
    const result = await post(tenant, held.id, fxPost);
    expect(result).toEqual({ ok: true, hold: { ...held, status: 'posted', resolvedAt: expect.any(Date) } });
    expect(await resolutionEntries(held.id)).toEqual([
      'fees EUR 50', 'fees USD 250', 'fx EUR 9200', 'fx USD -10000', 'held EUR -9250', 'pending USD 9750',
    ]);
    expect(await journalKindsOfHold(held.id)).toEqual(['hold', 'hold_post']);
    // The merchant sees USD only; the EUR stayed on the platform's side.
    expect(await balanceMaps(tenant)).toEqual({ available: { USD: 0n }, pending: { USD: 9_750n } });
    expect(await storedBalance(tenant, 'EUR', 'held')).toBe(0n);
    expect(await storedBalance(tenant, 'EUR', 'clearing')).toBe(-9_250n);
    expect(await storedBalance(tenant, 'EUR', 'fx')).toBe(9_200n);
    expect(await storedBalance(tenant, 'USD', 'fx')).toBe(-10_000n);
    expect(await storedBalance(tenant, 'USD', 'fees')).toBe(250n);
    expect(await storedBalance(tenant, 'EUR', 'available')).toBeUndefined();
    await expectHealthyLedger(tenant);
  });

  it('returns what the destinations leave of the hold to available in its currency, beside the other legs', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'EUR', 10_000n);
    const held = await hold(tenant, 3_000n, 'EUR');
    const result = await post(tenant, held.id, {
      destinations: [{ account: { purpose: 'fx', currency: 'EUR' }, amount: 2_000n }],
      otherLegs: [
        { account: { purpose: 'fx', currency: 'USD' }, amount: -2_170n },
        { account: { purpose: 'available', currency: 'USD' }, amount: 2_170n },
      ],
    });
    expect(result).toMatchObject({ ok: true, hold: { status: 'posted' } });
    expect(await resolutionEntries(held.id)).toEqual(['available EUR 1000', 'available USD 2170', 'fx EUR 2000', 'fx USD -2170', 'held EUR -3000']);
    expect(await balanceMaps(tenant)).toEqual({ available: { EUR: 8_000n, USD: 2_170n }, pending: { EUR: 0n, USD: 0n } });
    await expectHealthyLedger(tenant);
  });

  it('refuses other legs in the hold currency, touching held, or not balanced among themselves; the hold stays pending', async () => {
    const tenant = await newTenant();
    const held = await holdIncoming(tenant, 9_250n, 'EUR');
    const bad: NonNullable<PostHoldInput['otherLegs']>[] = [
      // In the hold's currency: they would move EUR beside the hold's own accounting.
      [{ account: { purpose: 'fees', currency: 'EUR' }, amount: 10n }, { account: { purpose: 'fx', currency: 'EUR' }, amount: -10n }],
      // A held account in another currency would drift from that currency's pending holds.
      [{ account: { purpose: 'held', currency: 'USD' }, amount: 100n }, { account: { purpose: 'fx', currency: 'USD' }, amount: -100n }],
      [{ account: { purpose: 'fx', currency: 'USD' }, amount: 100n }, { account: { purpose: 'held', currency: 'USD' }, amount: -100n }],
      [{ account: { purpose: 'fx', currency: 'USD' }, amount: -10_000n }, { account: { purpose: 'pending', currency: 'USD' }, amount: 9_000n }],
    ];
    for (const otherLegs of bad) {
      await expect(post(tenant, held.id, { ...fxPost, otherLegs }), JSON.stringify(otherLegs, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))
        .rejects.toBeInstanceOf(LedgerInvariantError);
    }
    expect(await findHold((await database()).db, tenant, held.id)).toMatchObject({ status: 'pending', resolvedAt: null });
    expect(await journalKindsOfHold(held.id)).toEqual(['hold']);
    expect(await storedBalance(tenant, 'EUR', 'held')).toBe(9_250n);
    expect(await balanceMaps(tenant)).toEqual({ available: {}, pending: {} });
    await expectHealthyLedger(tenant);

    // The same hold still posts with well-formed legs.
    expect(await post(tenant, held.id, fxPost)).toMatchObject({ ok: true, hold: { status: 'posted' } });
    await expectHealthyLedger(tenant);
  });
});

describe('holds under concurrency', () => {
  it('20 parallel holds against funds for exactly 7: 7 succeed, 13 answer insufficient_funds', async () => {
    const tenant = await newTenant();
    const amount = 1_000n;
    // Room for 7 holds and 999 more: each loser is short by exactly 1.
    await seed(tenant, 'USD', 7n * amount + amount - 1n);
    const results = await inParallel(20, (tx) => holdFunds({ tx, clock, tenant }, { currency: 'USD', amount, cause: uniqueCause('payout') }));

    const won = results.filter((r) => r.ok);
    const lost = results.filter((r) => !r.ok);
    expect(won).toHaveLength(7);
    expect(lost).toHaveLength(13);
    for (const loss of lost) expect(loss).toMatchObject({ reason: 'insufficient_funds', balance: amount - 1n, shortfall: 1n });
    expect(await balanceMaps(tenant)).toEqual({ available: { USD: amount - 1n }, pending: { USD: 0n } });
    expect(await storedBalance(tenant, 'USD', 'held')).toBe(7n * amount);
    expect(await holdCount(tenant)).toBe(7);
    await expectHealthyLedger(tenant);
  });

  it('10 parallel posts and voids of one hold: exactly one wins, the rest see hold_already_resolved', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 10_000n);
    const held = await hold(tenant, 4_000n);
    type Attempt = 'post' | 'partial_post' | 'void';
    const attempts: Attempt[] = Array.from({ length: 10 }, (_, i) => (['void', 'post', 'partial_post'] as const)[i % 3]!);
    const results = await inParallel(10, (tx, i) => {
      const attempt = attempts[i]!;
      if (attempt === 'void') return voidHold({ tx, clock, tenant }, held.id);
      if (attempt === 'post') return postHold({ tx, clock, tenant }, held.id);
      return postHold({ tx, clock, tenant }, held.id, { destinations: [{ account: { purpose: 'fees', currency: 'USD' }, amount: 1_500n }] });
    });

    const winners = results.flatMap((r, i) => (r.ok ? [{ i, hold: r.hold }] : []));
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    const winningAttempt = attempts[winner.i]!;
    const status = winningAttempt === 'void' ? 'voided' : 'posted';
    expect(winner.hold.status).toBe(status);
    for (const [i, result] of results.entries()) {
      if (i !== winner.i) expect(result).toEqual({ ok: false, reason: 'hold_already_resolved', status });
    }

    const expected = {
      void: { available: 10_000n, clearing: 0n, fees: 0n },
      post: { available: 6_000n, clearing: 4_000n, fees: 0n },
      partial_post: { available: 8_500n, clearing: 0n, fees: 1_500n },
    }[winningAttempt];
    expect(await balanceMaps(tenant)).toEqual({ available: { USD: expected.available }, pending: { USD: 0n } });
    expect(await storedBalance(tenant, 'USD', 'held')).toBe(0n);
    expect((await storedBalance(tenant, 'USD', 'clearing')) ?? 0n).toBe(expected.clearing);
    expect((await storedBalance(tenant, 'USD', 'fees')) ?? 0n).toBe(expected.fees);
    expect(await findHold((await database()).db, tenant, held.id)).toMatchObject({ status });
    expect(await journalKindsOfHold(held.id)).toEqual(['hold', status === 'voided' ? 'hold_void' : 'hold_post']);
    await expectHealthyLedger(tenant);
  });

  it('journals of two merchants across two currencies, entries in every order, run in parallel without deadlock', async () => {
    // Two merchants of one hierarchy (a platform and its child): the only merchants one journal may join (verify).
    const platform = await createTestPlatform();
    const a: Tenant = { merchantId: platform.id, env: 'sandbox' };
    const b: Tenant = { merchantId: (await createTestChild(platform)).id, env: 'sandbox' };
    for (const tenant of [a, b]) {
      await seed(tenant, 'USD', 100_000n);
      await seed(tenant, 'EUR', 100_000n);
    }
    const n = 20;
    // A deterministic shuffle per journal, so that the orders differ between journals but a failure replays.
    const shuffled = <T>(items: T[], seed: number): T[] => {
      const out = [...items];
      let state = seed * 7919 + 17;
      for (let k = out.length - 1; k > 0; k--) {
        state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
        const j = state % (k + 1);
        [out[k], out[j]] = [out[j]!, out[k]!];
      }
      return out;
    };
    const results = await inParallel(n, (tx, i) => {
      const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
      const usd = BigInt(10 + i);
      const eur = BigInt(20 + i);
      // USD goes from -> to, EUR to -> from, and the platform's fee accounts (first used here, so created
      // concurrently) take 1 from each side.
      return postJournal({ tx, clock, tenant: from }, {
        kind: 'internal_transfer',
        cause: uniqueCause('swap'),
        entries: shuffled(
          [
            { account: { purpose: 'available', currency: 'USD' }, amount: -usd },
            { account: { purpose: 'available', currency: 'USD', merchantId: to.merchantId }, amount: usd - 1n },
            { account: { purpose: 'fees', currency: 'USD', merchantId: to.merchantId }, amount: 1n },
            { account: { purpose: 'available', currency: 'EUR', merchantId: to.merchantId }, amount: -eur },
            { account: { purpose: 'available', currency: 'EUR' }, amount: eur - 1n },
            { account: { purpose: 'fees', currency: 'EUR' }, amount: 1n },
          ],
          i,
        ),
      });
    });
    expect(results.filter((r) => !r.ok)).toEqual([]);

    // Net flows: even journals move A -> B, odd ones B -> A.
    let usdToB = 0n;
    let eurToA = 0n;
    for (let i = 0; i < n; i++) {
      const sign = i % 2 === 0 ? 1n : -1n;
      usdToB += sign * BigInt(10 + i);
      eurToA += sign * BigInt(20 + i);
    }
    const half = BigInt(n / 2);
    // The receiving side of each currency leaves 1 of it to the fee accounts: 10 journals each way.
    expect(await balanceMaps(a)).toEqual({
      available: { EUR: 100_000n + eurToA - half, USD: 100_000n - usdToB - half },
      pending: { EUR: 0n, USD: 0n },
    });
    expect(await balanceMaps(b)).toEqual({
      available: { EUR: 100_000n - eurToA - half, USD: 100_000n + usdToB - half },
      pending: { EUR: 0n, USD: 0n },
    });
    await expectHealthyLedger(a, b);
  });
});
