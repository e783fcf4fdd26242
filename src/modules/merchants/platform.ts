// A platform's child merchants (notes-payouts §21): onboarding under the calling platform, retrieve, list, and the
// sandbox's onboarding review. Only a platform's keys reach these (the contract's 401 otherwise); a platform sees
// only its own children of its own environment. Each onboarding step records a `merchant` event for the platform.
// Decision 0035.
import { isoSeconds } from '../../core/clock.js';
import { inUnitOfWork, type TenantContext, type UnitOfWork } from '../../core/context.js';
import { errors } from '../../core/errors.js';
import { isCalendarDate, utcDate } from '../../core/calendar.js';
import { recordEvent } from '../../core/events.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { ID_PREFIXES } from '../../core/ids.js';
import { normalizeCountry } from '../../core/iso.js';
import { pageRequest, type PageMeta } from '../../core/pagination.js';
import type { MerchantProfile } from '../../db/schema/index.js';
import { isSubCategoryOf } from './categories.js';
import type { CreateMerchantBody, ListPlatformMerchantsQuery, OnboardingStatusBody, PlatformMerchant } from './platform-schemas.js';
import {
  createChildMerchant, findChildMerchant, findMerchant, listChildMerchants, settleOnboarding, type Merchant, type MerchantDeps,
} from './service.js';

/** The webhook catalogue's entity type of a child's onboarding (notes-payins §1.11). */
export const MERCHANT_ENTITY_TYPE = 'merchant';
export const MERCHANT_CREATED_MESSAGE = 'Merchant created successfully!';
export const MERCHANT_STATUS_MESSAGE = 'Merchant status updated successfully';

/** A child as its platform sees it; never its keys (those are shown once, in the onboarding answer). */
export function presentChild(child: Merchant): PlatformMerchant {
  const profile = child.profile!;
  return withoutNulls({
    owner_merchant_id: child.ownerMerchantId!,
    merchant_id: child.id,
    status: child.onboardingStatus!,
    name: child.name,
    category: profile.category,
    entity_type: profile.entity_type,
    sub_category: profile.sub_category,
    gender: profile.gender,
    date_of_birth: profile.date_of_birth,
    registration_number: profile.registration_number,
    registration_country: profile.registration_country,
    address: withoutNulls(profile.address),
    operation_countries: profile.operation_countries,
    created_at: isoSeconds(child.createdAt),
    updated_at: isoSeconds(child.updatedAt),
  }) as PlatformMerchant;
}

/** The caller must be a platform: anyone else gets the contract's 401. */
async function assertPlatform(deps: Pick<MerchantDeps, 'db'>, ctx: TenantContext): Promise<void> {
  const caller = await findMerchant(deps.db, ctx.tenant.merchantId);
  if (!caller?.isPlatform) throw errors.platformOnly();
}

function country(value: string, field: string): string {
  const code = normalizeCountry(value);
  if (!code) throw errors.validation(`${field} must be an ISO 3166-1 alpha-3 country code (e.g., IND)`);
  return code;
}

const text = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim());

/** What the schema cannot check: the category's own sub-category, countries, and the individual's birth date and gender. */
function profileOf(body: CreateMerchantBody, today: string): MerchantProfile {
  if (!isSubCategoryOf(body.category, body.sub_category)) {
    throw errors.validation(`Sub category ${body.sub_category} does not belong to category ${body.category}`);
  }
  const individual = body.entity_type === 'individual';
  if (individual) {
    if (body.date_of_birth === undefined) throw errors.blank('date_of_birth');
    if (body.gender === undefined) throw errors.blank('gender');
    if (!isCalendarDate(body.date_of_birth) || body.date_of_birth >= today) {
      throw errors.validation('Date of birth must be a past date in the format YYYY-MM-DD');
    }
  } else if (body.date_of_birth !== undefined || body.gender !== undefined) {
    throw errors.validation('Date of birth and gender apply to individuals only');
  }
  const registrationCountry = country(body.registration_country, 'Registration country');
  return {
    entity_type: body.entity_type,
    category: body.category,
    sub_category: body.sub_category,
    registration_number: body.registration_number.trim(),
    registration_country: registrationCountry,
    address: {
      address_line1: body.address_line1.trim(), address_line2: text(body.address_line2), city: body.city.trim(),
      state: body.state.trim(), pincode: body.pincode.trim(), country: registrationCountry,
    },
    operation_countries: body.operation_countries.map((code) => country(code, 'Operation countries')),
    date_of_birth: individual ? body.date_of_birth! : null,
    gender: individual ? body.gender! : null,
  };
}

async function recordOnboarding(uow: UnitOfWork, child: Merchant): Promise<PlatformMerchant> {
  const data = presentChild(child);
  await recordEvent(uow, { entityType: MERCHANT_ENTITY_TYPE, eventType: child.onboardingStatus!, entityId: child.id, data });
  return data;
}

/**
 * `POST /platform/merchants`: a child under the calling platform in its environment, `pending`, with its keys for
 * that environment (`jwt_token`, `public_key`) and the platform's `merchant`/`pending` event, in one transaction.
 */
export async function onboardMerchant(deps: MerchantDeps, ctx: TenantContext, body: CreateMerchantBody): Promise<PlatformMerchant> {
  await assertPlatform(deps, ctx);
  const profile = profileOf(body, utcDate(ctx.clock.now()));
  let presented: PlatformMerchant | undefined;
  const created = await createChildMerchant(deps, ctx, { name: body.name.trim(), profile }, async (uow, child) => {
    presented = await recordOnboarding(uow, child);
  });
  // The platform stopped being one between the check and the row lock.
  if (!created || !presented) throw errors.platformOnly();
  return { ...presented, jwt_token: created.keys.secretKey, public_key: created.keys.publishableKey };
}

/** The platform's child by path id: 400 for another prefix, 404 for anyone else's. */
async function childOf(deps: Pick<MerchantDeps, 'db'>, ctx: TenantContext, id: string): Promise<Merchant> {
  if (!id.startsWith(`${ID_PREFIXES.merchant}_`)) throw errors.platformMerchantIdFormat();
  const child = await findChildMerchant(deps.db, ctx.tenant, id);
  if (!child) throw errors.platformMerchantNotFound();
  return child;
}

export async function getPlatformMerchant(deps: Pick<MerchantDeps, 'db'>, ctx: TenantContext, id: string): Promise<PlatformMerchant> {
  await assertPlatform(deps, ctx);
  return presentChild(await childOf(deps, ctx, id));
}

/** `GET /platform/merchants` (an extension): the platform's children in its environment, newest first. */
export async function listPlatformMerchants(
  deps: Pick<MerchantDeps, 'db'>, ctx: TenantContext, query: ListPlatformMerchantsQuery,
): Promise<{ data: PlatformMerchant[]; page_meta: PageMeta }> {
  await assertPlatform(deps, ctx);
  const page = await listChildMerchants(deps.db, ctx.tenant, pageRequest(query), query.status);
  return { data: page.rows.map(presentChild), page_meta: page.meta };
}

/** `PATCH /platform/merchants/status-update` (sandbox): a pending child's review, with its `merchant` event. */
export async function updateOnboardingStatus(deps: Pick<MerchantDeps, 'db'>, ctx: TenantContext, body: OnboardingStatusBody): Promise<PlatformMerchant> {
  await assertPlatform(deps, ctx);
  if (!body.merchant_id.startsWith(`${ID_PREFIXES.merchant}_`)) throw errors.platformMerchantIdFormat();
  return inUnitOfWork(deps.db, ctx, async (uow) => {
    const moved = await settleOnboarding(uow, body.merchant_id, body.target_status);
    if (!moved) throw errors.platformMerchantNotFound();
    return recordOnboarding(uow, moved);
  });
}

export function createPlatformService(deps: MerchantDeps) {
  return Object.freeze({
    onboard: (ctx: TenantContext, body: CreateMerchantBody) => onboardMerchant(deps, ctx, body),
    get: (ctx: TenantContext, id: string) => getPlatformMerchant(deps, ctx, id),
    list: (ctx: TenantContext, query: ListPlatformMerchantsQuery) => listPlatformMerchants(deps, ctx, query),
    updateStatus: (ctx: TenantContext, body: OnboardingStatusBody) => updateOnboardingStatus(deps, ctx, body),
  });
}

export type PlatformService = ReturnType<typeof createPlatformService>;
