// The operator API's virtual accounts: registering an account a bank issued for a merchant environment (production
// has no sandbox bank to draw one), and the inbound transfers a bank connector delivers when money arrives on one
// (either environment). The connector's key makes a second delivery answer the first (200) without crediting again.
import { tenantContext } from '../core/tenant-clock.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../deps.js';
import { ErrorBody, IdParams } from '../core/http-schemas.js';
import { jsonAmount } from '../core/amount.js';
import { adminErrors, adminSecurity } from './schemas.js';
import type { Merchant } from '../modules/merchants/service.js';
import { Payment } from '../modules/payments/schemas.js';
import { RecordInboundTransferBody, RegisterVirtualAccountBody, VirtualAccount } from '../modules/virtual-accounts/schemas.js';
import { presentVirtualAccount, transferInput, type InboundTransferResult, type VirtualAccountRow, type VirtualAccountService } from '../modules/virtual-accounts/service.js';

const AdminVirtualAccount = Type.Object({
  ...VirtualAccount.properties,
  merchant_id: Type.String(),
  env: Type.Enum(['sandbox', 'production']),
  payment_type: Type.Enum(['local', 'swift']),
  bank_name: Type.String(),
  bank_country: Type.String(),
  bic: Type.String(),
  local_bank_code: Type.Union([Type.String(), Type.Null()]),
});

const presentAdminAccount = (row: VirtualAccountRow) => ({
  ...presentVirtualAccount(row), merchant_id: row.merchantId, env: row.env, payment_type: row.paymentType,
  bank_name: row.bankName, bank_country: row.bankCountry, bic: row.bic, local_bank_code: row.localBankCode,
});

const InboundTransfer = Type.Object({
  id: Type.String({ examples: ['itr_6819d8046mpKt'] }),
  merchant_id: Type.String(),
  env: Type.Enum(['sandbox', 'production']),
  virtual_account_id: Type.String(),
  status: Type.Enum(['credited', 'returned'], { description: '`returned`: the account was closed or is in another currency; the funds go back to the sender.' }),
  amount: Type.Integer(),
  currency: Type.String(),
  remitter_name: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()]),
  connector_key: Type.String(),
  return_reason: Type.Union([Type.String(), Type.Null()]),
  payment: Type.Union([Payment, Type.Null()], { description: 'The payment that records a credited transfer.' }),
  created_at: Type.String({ format: 'date-time' }),
});

function present({ transfer, payment }: InboundTransferResult) {
  return {
    id: transfer.id,
    merchant_id: transfer.merchantId,
    env: transfer.env,
    virtual_account_id: transfer.virtualAccountId,
    status: transfer.status,
    amount: jsonAmount(transfer.amount),
    currency: transfer.currency,
    remitter_name: transfer.remitterName,
    reference: transfer.reference,
    connector_key: transfer.connectorKey!,
    return_reason: transfer.returnReason,
    payment,
    created_at: transfer.createdAt.toISOString(),
  };
}

export interface VirtualAccountRoutesOptions {
  deps: AppDeps;
  virtualAccounts: VirtualAccountService;
  existingMerchant(id: string): Promise<Merchant>;
}

export const adminVirtualAccountRoutes: FastifyPluginAsyncTypebox<VirtualAccountRoutesOptions> = async (app, { deps, virtualAccounts, existingMerchant }) => {
  app.post('/merchants/:id/virtual_accounts', {
    schema: {
      tags: ['admin'], summary: 'Register a virtual account a bank issued for a merchant environment (the way to have one in production)', security: adminSecurity,
      description: 'The bank\'s own details (an IBAN is checked); one active account per environment, payment type and currency, ' +
        'and a number no other account has (409 otherwise). Records `virtual_account`/`active`.',
      params: IdParams('merch_68c777fcOOMpl'), body: RegisterVirtualAccountBody, response: { 201: AdminVirtualAccount, ...adminErrors, 409: ErrorBody },
    },
  }, async (request, reply) => {
    const merchant = await existingMerchant(request.params.id);
    const ctx = await tenantContext(deps.database.db, deps.clock, { merchantId: merchant.id, env: request.body.env });
    return reply.status(201).send(presentAdminAccount(await virtualAccounts.register(ctx, request.body)));
  });

  app.post('/merchants/:id/inbound_transfers', {
    schema: {
      tags: ['admin'], summary: "Record a bank transfer received on one of a merchant's virtual accounts (a bank connector's delivery)", security: adminSecurity,
      description: 'Matched as the sandbox mock-transfer is: it pays the order or payment link its reference names or its amount ' +
        'matches, or is held `action_required`. A closed account or another currency records it `returned`. 201 for a new ' +
        'transfer, 200 with the first one for a repeated `connector_key`; 404 for an account number the environment does not have.',
      params: IdParams('merch_68c777fcOOMpl'), body: RecordInboundTransferBody, response: { 200: InboundTransfer, 201: InboundTransfer, ...adminErrors },
    },
  }, async (request, reply) => {
    const merchant = await existingMerchant(request.params.id);
    const ctx = await tenantContext(deps.database.db, deps.clock, { merchantId: merchant.id, env: request.body.env });
    const result = await virtualAccounts.recordTransfer(ctx, { ...transferInput(request.body), connectorKey: request.body.connector_key.trim() });
    return reply.status(result.replayed ? 200 : 201).send(present(result));
  });
};
