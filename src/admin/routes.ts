// The operator API (/admin/v1), enabled by ADMIN_TOKEN: merchants and their keys (ledger routes in ledger-routes.ts).
import { adminVirtualAccountRoutes } from './virtual-account-routes.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { isoSeconds } from '../core/clock.js';
import { errors } from '../core/errors.js';
import { IdParams, withoutNulls } from '../core/http-schemas.js';
import { adminErrors, adminSecurity } from './schemas.js';
import { assertIdPrefix, ID_PREFIXES } from '../core/ids.js';
import { ListOf, PaginationQuery, pageRequest } from '../core/pagination.js';
import { ENVIRONMENTS, type Environment } from '../db/schema/index.js';
import type { Merchant } from '../modules/merchants/service.js';
import { SettlementSchedule } from '../modules/settlements/schemas.js';
import { adminLedgerRoutes } from './ledger-routes.js';
import { adminWebhookEndpointRoutes } from './webhook-routes.js';
import { adminWithdrawalAccountRoutes } from './withdrawal-account-routes.js';
import { adminPayoutApprovalRoutes } from './payout-approval-routes.js';
import { adminSandboxClockRoutes } from './sandbox-clock-routes.js';
import { adminBackupRoutes } from './backup-routes.js';
import { adminMcpCredentialRoutes } from './mcp-credential-routes.js';

const MerchantBody = Type.Object({
  id: Type.String({ examples: ['merch_68c777fcOOMpl'] }),
  name: Type.String(),
  email: Type.Optional(Type.String()),
  status: Type.String(),
  payin_fee_bearer: Type.Enum(['merchant', 'customer'], {
    description: 'Who bears pay-in transaction fees: merchant (netted from the credit, the default) or customer (added to what the payer pays).',
  }),
  beneficiary_review: Type.Boolean({ description: 'New v2 beneficiaries start pending until reviewed (default false: active at once).' }),
  beneficiary_required_notes: Type.Array(Type.String(), { description: 'notes keys every new v2 beneficiary must carry.' }),
  payout_queueing: Type.Boolean({ description: 'New payouts wait `queued` until the balance covers them, released FIFO per source currency at :02, :17, :32 and :47.' }),
  maker_checker: Type.Boolean({ description: 'New payouts wait `pending_approval` until the operator approves or rejects them.' }),
  is_platform: Type.Boolean({ description: 'A platform onboards child merchants (POST /api/v1/platform/merchants) and moves money between itself and them.' }),
  partial_refunds: Type.Boolean({ description: 'Refunds of less than what remains of a card payment are allowed (default false: a refund takes the whole remainder).' }),
  owner_merchant_id: Type.Optional(Type.String({ description: 'A child merchant\'s platform.' })),
  owner_env: Type.Optional(Type.Enum(['sandbox', 'production'], { description: 'The one environment a child merchant lives in.' })),
  onboarding_status: Type.Optional(Type.Enum(['pending', 'success', 'failed'], { description: 'A child merchant\'s onboarding.' })),
  settlement_schedule: Type.Union([SettlementSchedule, Type.Null()], {
    description: 'Automatic settlement: once a day at 00:30 UTC of each environment\'s clock, the available funds of payments paid at ' +
      'least delay_days days before are settled to the withdrawal account, per currency. Null (the default): off.',
  }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const UpdateMerchantBody = Type.Object({
  payin_fee_bearer: Type.Optional(Type.Enum(['merchant', 'customer'])),
  payout_queueing: Type.Optional(Type.Boolean()),
  maker_checker: Type.Optional(Type.Boolean()),
  beneficiary_review: Type.Optional(Type.Boolean()),
  beneficiary_required_notes: Type.Optional(Type.Array(
    Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    { maxItems: 50, uniqueItems: true, description: 'Replaces the list; [] requires none.' },
  )),
  // The object first: a body that fails both answers the object's first error, not "must be null".
  settlement_schedule: Type.Optional(Type.Union([SettlementSchedule, Type.Null()], {
    description: 'Replaces the schedule (the first runs are scheduled at once); null switches automatic settlement off.',
  })),
  is_platform: Type.Optional(Type.Boolean({ description: 'Makes the merchant a platform (true) or not (false: only without child merchants). A child cannot be one.' })),
  partial_refunds: Type.Optional(Type.Boolean({ description: 'Allows refunds of less than what remains of a card payment (bank transfers are refunded whole only).' })),
}, { additionalProperties: false });

const CreatedMerchant = Type.Object({
  ...MerchantBody.properties,
  secret_key: Type.String({ description: 'Sandbox secret key.' }),
  public_key: Type.String({ description: 'Sandbox publishable key (test_...).' }),
  production_secret_key: Type.String(),
  production_public_key: Type.String({ description: 'Production publishable key (live_...).' }),
});

const KeysBody = Type.Object({
  env: Type.Optional(Type.Enum(['sandbox', 'production', 'all'], { default: 'all' })),
});

const KeysResult = Type.Object({
  merchant_id: Type.String(),
  revoked: Type.Integer({ description: 'How many keys stopped working.' }),
  keys: Type.Optional(Type.Record(Type.String(), Type.Object({ secret_key: Type.String(), public_key: Type.String() }))),
});

function presentMerchant(merchant: Merchant) {
  return {
    ...presentMerchantFields(merchant),
    // Shown also when off (null), unlike the optional email.
    settlement_schedule: merchant.settlementSchedule,
  };
}

/** The merchant's fields that are left out when null. */
function presentMerchantFields(merchant: Merchant) {
  return withoutNulls({
    id: merchant.id,
    name: merchant.name,
    email: merchant.email,
    status: merchant.status,
    payin_fee_bearer: merchant.payinFeeBearer,
    beneficiary_review: merchant.beneficiaryReview,
    beneficiary_required_notes: merchant.beneficiaryRequiredNotes,
    payout_queueing: merchant.payoutQueueing,
    maker_checker: merchant.makerChecker,
    is_platform: merchant.isPlatform,
    partial_refunds: merchant.partialRefunds,
    owner_merchant_id: merchant.ownerMerchantId,
    owner_env: merchant.ownerEnv,
    onboarding_status: merchant.onboardingStatus,
    created_at: isoSeconds(merchant.createdAt),
    updated_at: isoSeconds(merchant.updatedAt),
  });
}

export const adminRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps; services: Services }> = async (app, { deps, services }) => {
  const { merchants, settlements } = services;
  const tags = ['admin'];

  async function existingMerchant(id: string): Promise<Merchant> {
    assertIdPrefix(ID_PREFIXES.merchant, id);
    const merchant = await merchants.find(id);
    if (!merchant) throw errors.notFound('Merchant');
    return merchant;
  }

  app.post('/merchants', {
    schema: {
      tags, summary: 'Create a merchant with sandbox and production keys', description: 'Operator: creates a merchant and answers its sandbox and production secret and publishable keys, shown only this once.', security: adminSecurity,
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 200 }),
        email: Type.Optional(Type.String({ format: 'email' })),
      }),
      response: { 201: CreatedMerchant, ...adminErrors },
    },
  }, async (request, reply) => {
    const name = request.body.name.trim();
    if (name === '') throw errors.blank('name');
    const { merchant, keys } = await merchants.create({ name, email: request.body.email });
    return reply.status(201).send({
      ...presentMerchant(merchant),
      secret_key: keys.sandbox.secretKey,
      public_key: keys.sandbox.publishableKey,
      production_secret_key: keys.production.secretKey,
      production_public_key: keys.production.publishableKey,
    });
  });

  app.get('/merchants', {
    schema: {
      tags, summary: 'List merchants', description: 'Operator: lists every merchant, newest first, with its switches (maker-checker, payout queueing, beneficiary review, partial refunds) and whether it is a platform.', security: adminSecurity,
      querystring: Type.Object({ ...PaginationQuery }),
      response: { 200: ListOf(MerchantBody), ...adminErrors },
    },
  }, async (request) => {
    const page = await merchants.list(pageRequest(request.query));
    return { data: page.rows.map(presentMerchant), page_meta: page.meta };
  });

  app.get('/merchants/:id', {
    schema: { tags, summary: 'Retrieve a merchant', description: 'Operator: answers one merchant by id with its switches and settlement schedule.', security: adminSecurity, params: IdParams('merch_68c777fcOOMpl'), response: { 200: MerchantBody, ...adminErrors } },
  }, async (request) => presentMerchant(await existingMerchant(request.params.id)));

  app.patch('/merchants/:id', {
    schema: {
      tags, summary: "Change a merchant's account settings", security: adminSecurity,
      description: 'Settings Glomo\'s support switches for a business. Applies to payments and beneficiaries created from now on; ' +
        'recorded ones keep theirs. A settlement schedule applies from its next run to every eligible payment, recorded ones too.',
      params: IdParams('merch_68c777fcOOMpl'), body: UpdateMerchantBody, response: { 200: MerchantBody, ...adminErrors },
    },
  }, async (request) => {
    const merchant = await existingMerchant(request.params.id);
    const given = request.body.settlement_schedule;
    const schedule = given === undefined || given === null ? given : settlements.normalizeSchedule(given);
    return presentMerchant(await merchants.updateSettings(merchant.id, {
      payinFeeBearer: request.body.payin_fee_bearer,
      beneficiaryReview: request.body.beneficiary_review,
      beneficiaryRequiredNotes: request.body.beneficiary_required_notes,
      payoutQueueing: request.body.payout_queueing,
      makerChecker: request.body.maker_checker,
      settlementSchedule: schedule,
      isPlatform: request.body.is_platform,
      partialRefunds: request.body.partial_refunds,
    }, schedule ? (tx, updated) => settlements.scheduleRuns(tx, updated.id) : undefined));
  });

  // The key operations take an optional body: a POST without one means `{}` (env 'all'). Fastify validates an
  // absent body against the schema as if it were required, so give it the empty object first.
  const emptyBodyIsEmptyObject = async (request: { body: unknown }) => {
    if (request.body === undefined || request.body === null) request.body = {};
  };

  const keyOperation = (reissue: boolean) => async (request: { params: { id: string }; body: { env?: string } | undefined }) => {
    const merchant = await existingMerchant(request.params.id);
    const env = request.body?.env ?? 'all';
    const envs: Environment[] = env === 'all' ? [...ENVIRONMENTS] : [env as Environment];
    const result = await merchants.replaceKeys(merchant.id, envs, { reissue });
    const keys = Object.fromEntries(
      Object.entries(result.keys).map(([name, pair]) => [name, { secret_key: pair.secretKey, public_key: pair.publishableKey }]),
    );
    return { merchant_id: merchant.id, revoked: result.revoked, ...(reissue ? { keys } : {}) };
  };

  app.post('/merchants/:id/keys/revoke', {
    schema: {
      tags, summary: "Revoke a merchant's keys at once (one environment or both)", description: 'Operator: revokes the merchant\'s secret and publishable keys of `env` (or both environments); every later request with them answers 401.', security: adminSecurity,
      params: IdParams('merch_68c777fcOOMpl'), body: Type.Optional(KeysBody), response: { 200: KeysResult, ...adminErrors },
    },
    preValidation: emptyBodyIsEmptyObject,
  }, keyOperation(false));

  app.post('/merchants/:id/keys/reissue', {
    schema: {
      tags, summary: "Revoke a merchant's keys and issue new ones (one environment or both)", description: 'Operator: revokes the merchant\'s keys of `env` (or both) and answers new ones, shown only this once.', security: adminSecurity,
      params: IdParams('merch_68c777fcOOMpl'), body: Type.Optional(KeysBody), response: { 200: KeysResult, ...adminErrors },
    },
    preValidation: emptyBodyIsEmptyObject,
  }, keyOperation(true));

  await app.register(adminLedgerRoutes, { deps, existingMerchant });
  await app.register(adminWebhookEndpointRoutes, { deps, endpoints: services.webhookEndpoints, existingMerchant });
  await app.register(adminWithdrawalAccountRoutes, { deps, withdrawals: services.withdrawals, existingMerchant });
  await app.register(adminPayoutApprovalRoutes, { deps, payouts: services.payouts, existingMerchant });
  await app.register(adminSandboxClockRoutes, { clocks: services.clocks, existingMerchant });
  await app.register(adminBackupRoutes, { deps });
  await app.register(adminVirtualAccountRoutes, { deps, virtualAccounts: services.virtualAccounts, existingMerchant });
  await app.register(adminMcpCredentialRoutes, { mcpCredentials: services.mcpCredentials, existingMerchant });
};
