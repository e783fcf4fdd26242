// Holds, as TigerBeetle's pending transfers: reserve funds (available -> held), then post them to where they
// go or void them back, each exactly once. Every path locks the accounts first and the hold row second, the
// same order as any other journal in the transaction, so holds never deadlock with journals.
import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { ledgerHolds } from '../db/schema/index.js';
import type { UnitOfWork } from '../core/context.js';
import { ID_PREFIXES, newId } from '../core/ids.js';
import { tenantFilter, type Tenant } from '../core/tenancy.js';
import type { AccountRef } from './accounts.js';
import { lockAccounts } from './accounts.js';
import {
  deltasFor,
  findShortfall,
  LedgerInvariantError,
  postJournalTouchingHeld,
  resolveEntries,
  writeJournal,
  type Cause,
  type EntryInput,
  type InsufficientFunds,
  type JournalInput,
} from './journal.js';


export type HoldStatus = 'pending' | 'posted' | 'voided';

export interface Hold {
  id: string;
  currency: string;
  amount: bigint;
  status: HoldStatus;
  causeType: string;
  causeId: string;
  createdAt: Date;
  resolvedAt: Date | null;
}

export type HoldResolutionFailure =
  | { ok: false; reason: 'hold_not_found' }
  | { ok: false; reason: 'hold_already_resolved'; status: Exclude<HoldStatus, 'pending'> };

export interface HoldInput {
  currency: string;
  amount: bigint;
  cause: Cause;
  memo?: string;
}

/** Moves `amount` from available to held, or answers `insufficient_funds` having written no journal and no hold. */
export async function holdFunds(
  uow: UnitOfWork,
  input: HoldInput,
): Promise<{ ok: true; hold: Hold } | InsufficientFunds> {
  return openHold(uow, input, 'available');
}

/**
 * Holds money that has just arrived and belongs to no balance yet (a bank transfer waiting to be matched): clearing
 * → held, in one journal. The platform's clearing account may go negative, so this never lacks funds. Such a hold
 * is only ever posted (to where the money turns out to belong); it has no void, which would credit `available`.
 */
export async function holdIncomingFunds(uow: UnitOfWork, input: HoldInput): Promise<Hold> {
  const opened = await openHold(uow, input, 'clearing');
  if (!opened.ok) throw new LedgerInvariantError(`incoming hold refused: ${opened.reason}`);
  return opened.hold;
}

/** One journal from `source` to held, and the pending hold it creates. */
async function openHold(
  uow: UnitOfWork,
  input: HoldInput,
  source: 'available' | 'clearing',
): Promise<{ ok: true; hold: Hold } | InsufficientFunds> {
  if (input.amount <= 0n) throw new LedgerInvariantError('a hold must be for a positive amount');
  const now = uow.clock.now();
  const id = newId(ID_PREFIXES.hold, now);
  const posted = await postJournalTouchingHeld(uow, {
    kind: 'hold',
    cause: input.cause,
    holdId: id,
    ...(input.memo !== undefined ? { memo: input.memo } : {}),
    entries: [
      { account: { purpose: source, currency: input.currency }, amount: -input.amount },
      { account: { purpose: 'held', currency: input.currency }, amount: input.amount },
    ],
  });
  if (!posted.ok) return posted;
  const [hold] = await uow.tx
    .insert(ledgerHolds)
    .values({
      id,
      ...uow.tenant,
      currency: input.currency,
      amount: input.amount,
      status: 'pending',
      causeType: input.cause.type,
      causeId: input.cause.id,
      createdAt: now,
    })
    .returning();
  return { ok: true, hold: toHold(hold!) };
}

export interface PostHoldInput {
  /**
   * Where the held funds go, each a positive amount in the hold's currency. What they do not cover returns to
   * available (a partial post). Omitted: everything goes to `clearing` (money leaving the platform).
   */
  destinations?: ReadonlyArray<{ account: AccountRef; amount: bigint }>;
  /**
   * Entries in other currencies posted in the same journal, balanced among themselves per currency: where the held
   * funds are converted (a payment's settlement leg after the FX leg the destinations carry). Never `held`.
   */
  otherLegs?: readonly EntryInput[];
  cause?: Cause;
  memo?: string;
}

/** Posts a pending hold once; a second post or a post after a void answers `hold_already_resolved`. */
export async function postHold(
  uow: UnitOfWork,
  holdId: string,
  input: PostHoldInput = {},
): Promise<{ ok: true; hold: Hold } | HoldResolutionFailure> {
  return resolveHold(uow, holdId, 'posted', (hold) => {
    const destinations = input.destinations ?? [{ account: { purpose: 'clearing', currency: hold.currency }, amount: hold.amount }];
    let total = 0n;
    for (const destination of destinations) {
      if (destination.amount <= 0n) throw new LedgerInvariantError('hold destinations must be positive');
      if (destination.account.currency !== hold.currency) throw new LedgerInvariantError('hold destinations must be in the hold currency');
      if (destination.account.purpose === 'held') throw new LedgerInvariantError('a hold cannot be posted to a held account');
      total += destination.amount;
    }
    if (total > hold.amount) throw new LedgerInvariantError(`posting ${total} exceeds hold ${hold.id} of ${hold.amount}`);
    const remainder = hold.amount - total;
    const otherLegs = input.otherLegs ?? [];
    for (const leg of otherLegs) {
      if (leg.account.currency === hold.currency) throw new LedgerInvariantError('other legs must be in another currency than the hold');
      if (leg.account.purpose === 'held') throw new LedgerInvariantError('other legs cannot touch a held account');
    }
    return {
      kind: 'hold_post',
      cause: input.cause ?? { type: hold.causeType, id: hold.causeId },
      holdId: hold.id,
      ...(input.memo !== undefined ? { memo: input.memo } : {}),
      entries: [
        { account: { purpose: 'held', currency: hold.currency }, amount: -hold.amount },
        ...destinations.map((d) => ({ account: d.account, amount: d.amount })),
        ...otherLegs,
        ...(remainder > 0n ? [{ account: { purpose: 'available' as const, currency: hold.currency }, amount: remainder }] : []),
      ],
    };
  });
}

/** Releases a pending hold back to available once. */
export async function voidHold(
  uow: UnitOfWork,
  holdId: string,
  input: { cause?: Cause; memo?: string } = {},
): Promise<{ ok: true; hold: Hold } | HoldResolutionFailure> {
  return resolveHold(uow, holdId, 'voided', (hold) => ({
    kind: 'hold_void',
    cause: input.cause ?? { type: hold.causeType, id: hold.causeId },
    holdId: hold.id,
    ...(input.memo !== undefined ? { memo: input.memo } : {}),
    entries: [
      { account: { purpose: 'held', currency: hold.currency }, amount: -hold.amount },
      { account: { purpose: 'available', currency: hold.currency }, amount: hold.amount },
    ],
  }));
}

async function resolveHold(
  uow: UnitOfWork,
  holdId: string,
  status: 'posted' | 'voided',
  journalFor: (hold: Hold) => JournalInput,
): Promise<{ ok: true; hold: Hold } | HoldResolutionFailure> {
  const { tx, tenant } = uow;
  // The hold's currency and amount never change, so they can be read before anything is locked.
  const current = await findHold(tx, tenant, holdId);
  if (!current) return { ok: false, reason: 'hold_not_found' };
  if (current.status !== 'pending') return { ok: false, reason: 'hold_already_resolved', status: current.status };

  const journal = journalFor(current);
  const entries = resolveEntries(tenant, journal);
  const accounts = await lockAccounts(uow, entries);
  // Exactly one concurrent resolver sees `pending` here: the others wait on the row, then match nothing.
  const now = uow.clock.now();
  const [resolved] = await tx
    .update(ledgerHolds)
    .set({ status, resolvedAt: now })
    .where(and(tenantFilter(ledgerHolds, tenant), eq(ledgerHolds.id, holdId), eq(ledgerHolds.status, 'pending')))
    .returning();
  if (!resolved) {
    const after = await findHold(tx, tenant, holdId);
    return { ok: false, reason: 'hold_already_resolved', status: after!.status as Exclude<HoldStatus, 'pending'> };
  }
  // Held funds always cover their own release; a shortfall here means the ledger is already inconsistent.
  const shortfall = findShortfall(accounts, deltasFor(entries, accounts));
  if (shortfall) throw new LedgerInvariantError(`hold ${holdId}: held account cannot cover its own release`);
  await writeJournal(uow, journal, entries, accounts);
  return { ok: true, hold: toHold(resolved) };
}

export async function findHold(db: DbOrTx, tenant: Tenant, holdId: string): Promise<Hold | undefined> {
  const [row] = await db.select().from(ledgerHolds).where(and(tenantFilter(ledgerHolds, tenant), eq(ledgerHolds.id, holdId)));
  return row ? toHold(row) : undefined;
}

function toHold(row: typeof ledgerHolds.$inferSelect): Hold {
  return {
    id: row.id,
    currency: row.currency,
    amount: row.amount,
    status: row.status,
    causeType: row.causeType,
    causeId: row.causeId,
    createdAt: row.createdAt,
    resolvedAt: row.resolvedAt,
  };
}
