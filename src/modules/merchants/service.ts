// Merchants and their keys: created by the operator API, the `glomo` CLI, or the first start.
import { ensureSandboxClock, readTenantClock } from '../../core/tenant-clock.js';
import type { Tenant } from '../../core/tenancy.js';
import { and, eq } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { merchants, type Environment, type FeeBearer, type MerchantProfile, type OnboardingStatus, type SettlementSchedule } from '../../db/schema/index.js';
import type { TenantContext, UnitOfWork } from '../../core/context.js';
import { issueKeyPair, revokeKeys, type KeyPair } from '../../core/auth/api-keys.js';
import type { KeyRing } from '../../core/auth/signing-keys.js';
import type { Clock } from '../../core/clock.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { ID_PREFIXES, newId } from '../../core/ids.js';
import { listPage, type PageRequest } from '../../core/pagination.js';
import { errors } from '../../core/errors.js';

export type Merchant = typeof merchants.$inferSelect;

export interface MerchantWithKeys {
  merchant: Merchant;
  keys: Record<Environment, KeyPair>;
}

export interface MerchantDeps {
  db: Db;
  keyRing: KeyRing;
  clock: Clock;
  /** Called once a merchant's keys changed (committed): brings DATA_DIR/credentials.json up to date. */
  keysChanged?: (merchantId: string) => Promise<void>;
}

export async function createMerchant(deps: MerchantDeps, input: { name: string; email?: string | undefined }): Promise<MerchantWithKeys> {
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const merchant = await insertWithFreshId(tx, merchants, () => newId(ID_PREFIXES.merchant, now), {
      name: input.name, email: input.email ?? null, status: 'active', createdAt: now, updatedAt: now,
    });
    const sandbox = await issueKeyPair(tx, deps.keyRing, deps.clock, { merchantId: merchant.id, env: 'sandbox' });
    const production = await issueKeyPair(tx, deps.keyRing, deps.clock, { merchantId: merchant.id, env: 'production' });
    // The sandbox's test clock starts at real time (production has none: it never moves).
    await ensureSandboxClock(tx, deps.clock, { merchantId: merchant.id, env: 'sandbox' });
    return { merchant, keys: { sandbox, production } };
  });
}

/** A child merchant as its platform onboards it: its name and onboarding details. */
export interface ChildMerchantInput {
  name: string;
  profile: MerchantProfile;
}

/**
 * Onboards a child merchant under the platform of `platform` (a tenant: the child lives in that environment only),
 * `pending`, with a key pair for that environment and, in sandbox, a test clock at the platform's own offset. The
 * platform's row is locked first (it must still be a platform: the operator's switch-off takes the same lock).
 * Undefined when the merchant is not a platform.
 */
export async function createChildMerchant(
  deps: MerchantDeps, ctx: TenantContext, input: ChildMerchantInput,
  within?: (uow: UnitOfWork, child: Merchant) => Promise<void>,
): Promise<{ merchant: Merchant; keys: KeyPair } | undefined> {
  const platform = ctx.tenant;
  return deps.db.transaction(async (tx) => {
    const [owner] = await tx.select().from(merchants).where(eq(merchants.id, platform.merchantId)).for('update');
    if (!owner?.isPlatform) return undefined;
    // The child's row is the platform environment's: its times are that environment's clock (keys live in real time).
    const now = ctx.clock.now();
    const merchant = await insertWithFreshId(tx, merchants, () => newId(ID_PREFIXES.merchant, now), {
      name: input.name, email: null, status: 'active', ownerMerchantId: owner.id, ownerEnv: platform.env,
      onboardingStatus: 'pending', profile: input.profile, createdAt: now, updatedAt: now,
    });
    const tenant = { merchantId: merchant.id, env: platform.env };
    const keys = await issueKeyPair(tx, deps.keyRing, deps.clock, tenant);
    const { offsetMs } = await readTenantClock(tx, deps.clock, platform);
    await ensureSandboxClock(tx, deps.clock, tenant, offsetMs);
    await within?.({ tx, ...ctx }, merchant);
    return { merchant, keys };
  });
}

/** The platform's child in the platform's environment, or undefined (another platform's, or another environment's). */
export async function findChildMerchant(db: DbOrTx, platform: Tenant, id: string): Promise<Merchant | undefined> {
  const [child] = await db.select().from(merchants)
    .where(and(eq(merchants.id, id), eq(merchants.ownerMerchantId, platform.merchantId), eq(merchants.ownerEnv, platform.env)));
  return child;
}

/** The platform's children in its environment, newest first. */
export async function listChildMerchants(db: Db, platform: Tenant, page: PageRequest, status?: OnboardingStatus) {
  return listPage(db, merchants, [
    eq(merchants.ownerMerchantId, platform.merchantId), eq(merchants.ownerEnv, platform.env),
    ...(status === undefined ? [] : [eq(merchants.onboardingStatus, status)]),
  ], page);
}

/**
 * Moves a `pending` child's onboarding to `target`, in the caller's transaction (the conditional update decides
 * between concurrent moves). Undefined when the platform has no such child; 400 when it is no longer pending.
 */
export async function settleOnboarding(uow: UnitOfWork, id: string, target: Exclude<OnboardingStatus, 'pending'>): Promise<Merchant | undefined> {
  const platform = uow.tenant;
  const [moved] = await uow.tx.update(merchants).set({ onboardingStatus: target, updatedAt: uow.clock.now() })
    .where(and(eq(merchants.id, id), eq(merchants.ownerMerchantId, platform.merchantId), eq(merchants.ownerEnv, platform.env), eq(merchants.onboardingStatus, 'pending')))
    .returning();
  if (moved) return moved;
  const child = await findChildMerchant(uow.tx, platform, id);
  if (!child) return undefined;
  throw errors.onboardingNotPending(child.onboardingStatus!);
}

export interface MerchantSettings {
  payinFeeBearer?: 'merchant' | 'customer';
  beneficiaryReview?: boolean;
  beneficiaryRequiredNotes?: string[];
  payoutQueueing?: boolean;
  makerChecker?: boolean;
  /** Automatic settlement (null: off). */
  settlementSchedule?: SettlementSchedule | null;
  /** A platform onboards child merchants and moves money between itself and them (a child cannot be one). */
  isPlatform?: boolean;
  /** Refunds of less than a card payment's remainder (notes-payins §9.2; default off). */
  partialRefunds?: boolean;
}

/**
 * Changes the operator-controlled settings given (others stay); the merchant must exist. `within` runs in the same
 * transaction after the change, with the changed row (what a setting sets in motion elsewhere: a settlement schedule's
 * first run), so both commit or neither.
 */
export async function updateMerchantSettings(
  deps: Pick<MerchantDeps, 'db' | 'clock'>,
  id: string,
  settings: MerchantSettings,
  within?: (tx: Tx, merchant: Merchant) => Promise<void>,
): Promise<Merchant> {
  const changes: Partial<typeof merchants.$inferInsert> = { updatedAt: deps.clock.now() };
  if (settings.payinFeeBearer !== undefined) changes.payinFeeBearer = settings.payinFeeBearer;
  if (settings.beneficiaryReview !== undefined) changes.beneficiaryReview = settings.beneficiaryReview;
  if (settings.beneficiaryRequiredNotes !== undefined) changes.beneficiaryRequiredNotes = settings.beneficiaryRequiredNotes;
  if (settings.payoutQueueing !== undefined) changes.payoutQueueing = settings.payoutQueueing;
  if (settings.makerChecker !== undefined) changes.makerChecker = settings.makerChecker;
  if (settings.settlementSchedule !== undefined) changes.settlementSchedule = settings.settlementSchedule;
  if (settings.isPlatform !== undefined) changes.isPlatform = settings.isPlatform;
  if (settings.partialRefunds !== undefined) changes.partialRefunds = settings.partialRefunds;
  return deps.db.transaction(async (tx) => {
    if (settings.isPlatform !== undefined) await assertPlatformChange(tx, id, settings.isPlatform);
    const [row] = await tx.update(merchants).set(changes).where(eq(merchants.id, id)).returning();
    if (!row) throw new Error(`merchant ${id} vanished`);
    await within?.(tx, row);
    return row;
  });
}

/**
 * A child merchant is never a platform; a platform with children stays one (its children would lose their platform).
 * The merchant's row is locked first, so the check and a concurrent onboarding (which locks the platform) serialise.
 */
async function assertPlatformChange(tx: Tx, id: string, isPlatform: boolean): Promise<void> {
  const [merchant] = await tx.select().from(merchants).where(eq(merchants.id, id)).for('update');
  if (!merchant) throw new Error(`merchant ${id} vanished`);
  if (isPlatform && merchant.ownerMerchantId !== null) throw errors.childCannotBePlatform();
  if (!isPlatform && merchant.isPlatform) {
    const [child] = await tx.select({ id: merchants.id }).from(merchants).where(eq(merchants.ownerMerchantId, id)).limit(1);
    if (child) throw errors.platformHasChildren();
  }
}

export async function findMerchant(db: DbOrTx, id: string): Promise<Merchant | undefined> {
  const [merchant] = await db.select().from(merchants).where(eq(merchants.id, id));
  return merchant;
}

/** Who bears a pay-in's transaction fee for this merchant (`merchant` when the merchant is not found). */
export async function payinFeeBearerOf(db: DbOrTx, merchantId: string): Promise<FeeBearer> {
  const [row] = await db.select({ bearer: merchants.payinFeeBearer }).from(merchants).where(eq(merchants.id, merchantId));
  return row?.bearer ?? 'merchant';
}

/** Whether the operator enabled partial refunds for this merchant (false when the merchant is not found). */
export async function partialRefundsOf(db: DbOrTx, merchantId: string): Promise<boolean> {
  const [row] = await db.select({ enabled: merchants.partialRefunds }).from(merchants).where(eq(merchants.id, merchantId));
  return row?.enabled ?? false;
}

/** The merchant's payout switches, maker-checker and queueing (both off when the merchant is not found). */
export async function payoutSettingsOf(db: DbOrTx, merchantId: string): Promise<{ makerChecker: boolean; payoutQueueing: boolean }> {
  const [row] = await db.select({ makerChecker: merchants.makerChecker, payoutQueueing: merchants.payoutQueueing })
    .from(merchants).where(eq(merchants.id, merchantId));
  return row ?? { makerChecker: false, payoutQueueing: false };
}

/** The merchant's automatic settlement, or null when it has none (or the merchant is not found). */
export async function settlementScheduleOf(db: DbOrTx, merchantId: string): Promise<SettlementSchedule | null> {
  const [row] = await db.select({ schedule: merchants.settlementSchedule }).from(merchants).where(eq(merchants.id, merchantId));
  return row?.schedule ?? null;
}

export async function listMerchants(db: Db, page: PageRequest) {
  return listPage(db, merchants, [], page);
}

export async function anyMerchantExists(db: Db): Promise<boolean> {
  return (await db.select({ id: merchants.id }).from(merchants).limit(1)).length > 0;
}

/** Revokes the keys of one environment (or both) and, when asked, issues fresh ones, in one transaction. */
export async function replaceKeys(
  deps: MerchantDeps,
  merchantId: string,
  envs: readonly Environment[],
  options: { reissue: boolean },
): Promise<{ revoked: number; keys: Partial<Record<Environment, KeyPair>> }> {
  const replaced = await deps.db.transaction(async (tx) => {
    let revoked = 0;
    const keys: Partial<Record<Environment, KeyPair>> = {};
    for (const env of envs) {
      const tenant = { merchantId, env };
      revoked += await revokeKeys(tx, deps.clock, tenant, ['secret', 'publishable']);
      if (options.reissue) keys[env] = await issueKeyPair(tx, deps.keyRing, deps.clock, tenant);
    }
    return { revoked, keys };
  });
  await deps.keysChanged?.(merchantId);
  return replaced;
}

/**
 * The merchant operations of the operator API, built once by the composition root. Merchants and their keys live in
 * real time (`deps.clock` is the process clock, never a sandbox test clock): they belong to no environment's clock.
 */
export function createMerchantService(deps: MerchantDeps) {
  return Object.freeze({
    create: (input: { name: string; email?: string | undefined }) => createMerchant(deps, input),

    find: (id: string) => findMerchant(deps.db, id),
    list: (page: PageRequest) => listMerchants(deps.db, page),
    updateSettings: (id: string, settings: MerchantSettings, within?: (tx: Tx, merchant: Merchant) => Promise<void>) =>
      updateMerchantSettings(deps, id, settings, within),
    replaceKeys: (id: string, envs: readonly Environment[], options: { reissue: boolean }) => replaceKeys(deps, id, envs, options),
  });
}

export type MerchantService = ReturnType<typeof createMerchantService>;
