// Model-based test: random sequences of ledger commands over two merchants and two currencies, each command in
// its own transaction, checked after every step against a pure in-memory model of the balances and holds.
import { and, eq, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ledgerAccounts, ledgerHolds } from '../db/schema/index.js';
import type { Tenant } from '../core/tenancy.js';
import { testEnv } from '../../test/support/env.js';
import { adjustBalance, getBalances, holdFunds, postHold, postJournal, verifyLedger, voidHold, type PostHoldInput } from './index.js';
import { clock, database, inTx, newTenant, uniqueCause } from '../../test/support/ledger-helpers.js';

const CURRENCIES = ['USD', 'JPY'] as const;
type Currency = (typeof CURRENCIES)[number];
type Merchant = 0 | 1;
type SpendablePurpose = 'available' | 'pending';
// A hold posts to its own merchant's accounts: money moves between merchants only by internal transfers, whose
// journals verify checks (a cross-tenant journal of any other kind is a problem).
type Destination = 'clearing' | 'fees' | 'pending';
type Status = 'pending' | 'posted' | 'voided';

type Command =
  | { kind: 'credit' | 'debit' | 'hold'; merchant: Merchant; currency: Currency; amount: bigint }
  | { kind: 'transfer'; merchant: Merchant; currency: Currency; from: SpendablePurpose; amount: bigint }
  /** `pick` chooses among the holds created so far; `asOther` tries it as the other merchant. */
  | { kind: 'post'; pick: number; asOther: boolean; destination: Destination; percent: number }
  | { kind: 'void'; pick: number; asOther: boolean };

/** What the ledger must answer, reduced to what the model can predict. */
type Outcome =
  | { ok: true; status?: Status }
  | { ok: false; reason: 'insufficient_funds'; shortfall: bigint }
  | { ok: false; reason: 'hold_already_resolved'; status: Status }
  | { ok: false; reason: 'hold_not_found' };

interface ModelHold {
  id: string;
  merchant: Merchant;
  currency: Currency;
  amount: bigint;
  status: Status;
}

interface Model {
  /** `merchant|currency|purpose` -> balance, for the merchant-side purposes. */
  balances: Map<string, bigint>;
  holds: ModelHold[];
}

const key = (merchant: Merchant, currency: Currency, purpose: 'available' | 'pending' | 'held') => `${merchant}|${currency}|${purpose}`;
const balanceOf = (model: Model, merchant: Merchant, currency: Currency, purpose: 'available' | 'pending' | 'held') =>
  model.balances.get(key(merchant, currency, purpose)) ?? 0n;
const add = (model: Model, merchant: Merchant, currency: Currency, purpose: 'available' | 'pending' | 'held', delta: bigint) =>
  model.balances.set(key(merchant, currency, purpose), balanceOf(model, merchant, currency, purpose) + delta);
const other = (merchant: Merchant): Merchant => (merchant === 0 ? 1 : 0);

/** A debit of `amount` from an account holding `balance`: ok, or the shortfall the ledger must report. */
const debitOutcome = (balance: bigint, amount: bigint): Outcome =>
  balance >= amount ? { ok: true } : { ok: false, reason: 'insufficient_funds', shortfall: amount - balance };

const partOf = (amount: bigint, percent: number) => {
  const part = (amount * BigInt(percent)) / 100n;
  return part < 1n ? 1n : part;
};

/**
 * The model: what the command must answer, and (when it goes through) its effect on the model. Holds are
 * appended by the caller once the real hold id is known.
 */
function predict(model: Model, command: Command): { outcome: Outcome; hold?: ModelHold } {
  switch (command.kind) {
    case 'credit':
      add(model, command.merchant, command.currency, 'available', command.amount);
      return { outcome: { ok: true } };
    case 'debit': {
      const outcome = debitOutcome(balanceOf(model, command.merchant, command.currency, 'available'), command.amount);
      if (outcome.ok) add(model, command.merchant, command.currency, 'available', -command.amount);
      return { outcome };
    }
    case 'transfer': {
      const to = command.from === 'available' ? 'pending' : 'available';
      const outcome = debitOutcome(balanceOf(model, command.merchant, command.currency, command.from), command.amount);
      if (outcome.ok) {
        add(model, command.merchant, command.currency, command.from, -command.amount);
        add(model, command.merchant, command.currency, to, command.amount);
      }
      return { outcome };
    }
    case 'hold': {
      const outcome = debitOutcome(balanceOf(model, command.merchant, command.currency, 'available'), command.amount);
      if (outcome.ok) {
        add(model, command.merchant, command.currency, 'available', -command.amount);
        add(model, command.merchant, command.currency, 'held', command.amount);
      }
      return { outcome };
    }
    case 'post':
    case 'void': {
      const hold = pickHold(model, command.pick);
      if (!hold || command.asOther) return { outcome: { ok: false, reason: 'hold_not_found' } };
      if (hold.status !== 'pending') return { outcome: { ok: false, reason: 'hold_already_resolved', status: hold.status } };
      add(model, hold.merchant, hold.currency, 'held', -hold.amount);
      if (command.kind === 'void') {
        add(model, hold.merchant, hold.currency, 'available', hold.amount);
        hold.status = 'voided';
        return { outcome: { ok: true, status: 'voided' } };
      }
      const part = partOf(hold.amount, command.percent);
      add(model, hold.merchant, hold.currency, 'available', hold.amount - part);
      if (command.destination === 'pending') add(model, hold.merchant, hold.currency, 'pending', part);
      hold.status = 'posted';
      return { outcome: { ok: true, status: 'posted' } };
    }
  }
}

const pickHold = (model: Model, pick: number): ModelHold | undefined => (model.holds.length === 0 ? undefined : model.holds[pick % model.holds.length]);

function postInput(hold: ModelHold, destination: Destination, percent: number): PostHoldInput {
  const amount = partOf(hold.amount, percent);
  // A full post to clearing takes the default path (no destinations).
  if (destination === 'clearing' && amount === hold.amount) return {};
  return { destinations: [{ account: { purpose: destination, currency: hold.currency }, amount }] };
}

/** Runs the command against the ledger in its own transaction, reduced to an Outcome (and the new hold id). */
async function run(command: Command, model: Model, tenants: readonly [Tenant, Tenant]): Promise<{ outcome: Outcome; holdId?: string }> {
  const reduce = (result: { ok: true } | { ok: false; reason: string; shortfall?: bigint; status?: Status }): Outcome => {
    if (result.ok) return { ok: true };
    if (result.reason === 'insufficient_funds') return { ok: false, reason: 'insufficient_funds', shortfall: result.shortfall! };
    if (result.reason === 'hold_already_resolved') return { ok: false, reason: 'hold_already_resolved', status: result.status! };
    return { ok: false, reason: 'hold_not_found' };
  };
  return inTx(async (tx) => {
    switch (command.kind) {
      case 'credit':
      case 'debit': {
        const tenant = tenants[command.merchant];
        const input = { direction: command.kind, currency: command.currency, amount: command.amount, reason: 'model' } as const;
        return { outcome: reduce(await adjustBalance({ tx, clock, tenant }, input)) };
      }
      case 'transfer': {
        const to = command.from === 'available' ? 'pending' : 'available';
        const result = await postJournal({ tx, clock, tenant: tenants[command.merchant] }, {
          kind: 'transfer',
          cause: uniqueCause('transfer'),
          entries: [
            { account: { purpose: command.from, currency: command.currency }, amount: -command.amount },
            { account: { purpose: to, currency: command.currency }, amount: command.amount },
          ],
        });
        return { outcome: reduce(result) };
      }
      case 'hold': {
        const result = await holdFunds({ tx, clock, tenant: tenants[command.merchant] }, { currency: command.currency, amount: command.amount, cause: uniqueCause('hold') });
        return result.ok ? { outcome: { ok: true }, holdId: result.hold.id } : { outcome: reduce(result) };
      }
      case 'post':
      case 'void': {
        const hold = pickHold(model, command.pick);
        if (!hold) {
          const missing = 'hold_0000000000000000';
          const result = command.kind === 'post' ? await postHold({ tx, clock, tenant: tenants[0] }, missing) : await voidHold({ tx, clock, tenant: tenants[0] }, missing);
          return { outcome: reduce(result) };
        }
        const tenant = tenants[command.asOther ? other(hold.merchant) : hold.merchant];
        const result =
          command.kind === 'post'
            ? await postHold({ tx, clock, tenant }, hold.id, postInput(hold, command.destination, command.percent))
            : await voidHold({ tx, clock, tenant }, hold.id);
        return { outcome: result.ok ? { ok: true, status: result.hold.status } : reduce(result) };
      }
    }
  });
}

/** The ledger's view (getBalances, the held accounts, the hold rows) must equal the model's. */
async function expectLedgerMatches(model: Model, tenants: readonly [Tenant, Tenant], step: string) {
  const { db } = await database();
  for (const merchant of [0, 1] as const) {
    const balances = await getBalances(db, tenants[merchant]);
    for (const list of [balances.available, balances.pending]) {
      for (const entry of list) expect(CURRENCIES, step).toContain(entry.currency);
    }
    for (const currency of CURRENCIES) {
      const actual = {
        available: balances.available.find((b) => b.currency === currency)?.amount ?? 0n,
        pending: balances.pending.find((b) => b.currency === currency)?.amount ?? 0n,
      };
      const expected = { available: balanceOf(model, merchant, currency, 'available'), pending: balanceOf(model, merchant, currency, 'pending') };
      expect(actual, `${step}: merchant ${merchant} ${currency}`).toEqual(expected);
    }
  }

  const ids = tenants.map((t) => t.merchantId);
  const heldRows = await db
    .select({ merchantId: ledgerAccounts.merchantId, currency: ledgerAccounts.currency, balance: ledgerAccounts.balance })
    .from(ledgerAccounts)
    .where(and(inArray(ledgerAccounts.merchantId, ids), eq(ledgerAccounts.env, 'sandbox'), eq(ledgerAccounts.purpose, 'held')));
  for (const merchant of [0, 1] as const) {
    for (const currency of CURRENCIES) {
      const row = heldRows.find((r) => r.merchantId === ids[merchant] && r.currency === currency);
      expect(row?.balance ?? 0n, `${step}: merchant ${merchant} ${currency} held`).toBe(balanceOf(model, merchant, currency, 'held'));
    }
  }

  const holdRows = await db
    .select({ id: ledgerHolds.id, merchantId: ledgerHolds.merchantId, currency: ledgerHolds.currency, amount: ledgerHolds.amount, status: ledgerHolds.status })
    .from(ledgerHolds)
    .where(inArray(ledgerHolds.merchantId, ids));
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  expect(holdRows.sort(byId), `${step}: holds`).toEqual(
    model.holds
      .map((h) => ({ id: h.id, merchantId: ids[h.merchant]!, currency: h.currency, amount: h.amount, status: h.status }))
      .sort(byId),
  );
}

const merchantArb = fc.constantFrom<Merchant>(0, 1);
const currencyArb = fc.constantFrom(...CURRENCIES);
const amountArb = fc.bigInt({ min: 1n, max: 5_000n });
/** Now and then, try a hold as the merchant that does not own it. */
const rarely = fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('credit' as const), merchant: merchantArb, currency: currencyArb, amount: fc.bigInt({ min: 1n, max: 10_000n }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('debit' as const), merchant: merchantArb, currency: currencyArb, amount: amountArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('transfer' as const),
      merchant: merchantArb,
      currency: currencyArb,
      from: fc.constantFrom<SpendablePurpose>('available', 'pending'),
      amount: amountArb,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('hold' as const), merchant: merchantArb, currency: currencyArb, amount: amountArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('post' as const),
      pick: fc.nat(),
      asOther: rarely,
      destination: fc.constantFrom<Destination>('clearing', 'fees', 'pending'),
      // Mostly full posts, sometimes partial ones.
      percent: fc.oneof({ weight: 1, arbitrary: fc.constant(100) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 99 }) }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('void' as const), pick: fc.nat(), asOther: rarely }) },
);

/** Opening credits for each merchant and currency (zero skipped), so that most runs have money to move. */
const openingArb: fc.Arbitrary<Array<{ kind: 'credit'; merchant: Merchant; currency: Currency; amount: bigint }>> = fc.tuple(
  ...([0, 1] as const).flatMap((merchant) =>
    CURRENCIES.map((currency) =>
      fc.bigInt({ min: 0n, max: 20_000n }).map((amount) => ({ kind: 'credit' as const, merchant, currency, amount })),
    ),
  ),
);

describe('ledger model', () => {
  beforeAll(async () => {
    await testEnv(); // the database start-up does not count against the property's time
  });

  it('matches an in-memory model of balances and holds over random command sequences', async () => {
    await fc.assert(
      fc.asyncProperty(openingArb, fc.array(commandArb, { minLength: 1, maxLength: 40, size: 'max' }), async (opening, random) => {
        const tenants = [await newTenant(), await newTenant()] as const;
        const model: Model = { balances: new Map(), holds: [] };
        const commands: Command[] = [...opening.filter((c) => c.amount > 0n), ...random];
        for (const [index, command] of commands.entries()) {
          const step = `step ${index} ${JSON.stringify(command, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
          const actual = await run(command, model, tenants);
          const predicted = predict(model, command);
          expect(actual.outcome, step).toEqual(predicted.outcome);
          if (command.kind === 'hold' && actual.holdId) {
            model.holds.push({ id: actual.holdId, merchant: command.merchant, currency: command.currency, amount: command.amount, status: 'pending' });
          }
          await expectLedgerMatches(model, tenants, step);
        }
        const { db } = await database();
        for (const tenant of tenants) {
          const report = await verifyLedger(db, { merchantId: tenant.merchantId });
          expect(report.problems).toEqual([]);
          expect(report.ok).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
