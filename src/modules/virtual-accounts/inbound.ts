// Bank transfers received on a virtual account: from the sandbox's mock-transfer, or from a bank connector through
// the operator API. A transfer to an active account in its currency is credited (recorded by the payments module as
// a payment, matched or held); one to a closed account, or in another currency, is returned to its sender and
// recorded as such. A connector's key claims the transfer first in its transaction, so a transfer delivered twice,
// even concurrently, is credited once. Decision 0032.
import { and, eq } from 'drizzle-orm';
import { inboundTransfers, virtualAccounts, type InboundTransferStatus } from '../../db/schema/virtual-accounts.js';
import type { Db } from '../../db/client.js';
import type { Payment, PaymentService } from '../payments/service.js';
import { unitOf, type TenantContext, type UnitOfWork } from '../../core/context.js';
import { errors } from '../../core/errors.js';
import { claimRequestId } from '../../core/idempotency.js';
import { ID_PREFIXES, newId } from '../../core/ids.js';
import { normalizeCurrency } from '../../core/iso.js';
import { tenantFilter } from '../../core/tenancy.js';

/** What a bank (or the sandbox) says arrived. */
export interface InboundTransferInput {
  accountNumber: string;
  amount: bigint;
  currency: string;
  remitterName: string;
  remitterAccountNumber: string | null;
  reference: string | null;
  /** The connector's own id of the transfer; null for the sandbox's mock. */
  connectorKey: string | null;
}

export type InboundTransferRow = typeof inboundTransfers.$inferSelect;
type VirtualAccountRow = typeof virtualAccounts.$inferSelect;

export interface InboundTransferDeps {
  db: Db;
  /** Records a credited transfer as a payment in the transfer's transaction, and reads one. */
  payments: Pick<PaymentService, 'receiveTransfer' | 'get'>;
}

/** The outcome: credited with its payment, or returned (no payment). A replayed connector key answers the first delivery. */
export type InboundTransferResult = { transfer: InboundTransferRow; payment: Payment | null; replayed: boolean };

/** `request_id` claims of connector keys, apart from every other scope. */
const CONNECTOR_KEY_SCOPE = 'inbound_transfers';

const RETURN_REASONS = {
  closed: (account: VirtualAccountRow) => `virtual account ${account.accountNumber} is ${account.status}`,
  currency: (account: VirtualAccountRow, currency: string) => `virtual account ${account.accountNumber} receives ${account.currency}, not ${currency}`,
};

async function findTransfer(uow: UnitOfWork, id: string): Promise<InboundTransferRow | undefined> {
  const [row] = await uow.tx.select().from(inboundTransfers).where(and(tenantFilter(inboundTransfers, uow.tenant), eq(inboundTransfers.id, id)));
  return row;
}

/**
 * Records a received transfer in one transaction: the connector key's claim, the transfer row and, when credited,
 * its payment (with the payment's journal and events). 404 for an account number the environment does not have.
 */
export async function receiveInboundTransfer(deps: InboundTransferDeps, ctx: TenantContext, input: InboundTransferInput): Promise<InboundTransferResult> {
  const currency = normalizeCurrency(input.currency.trim());
  if (currency === undefined) throw errors.validation('Currency must be a valid ISO 4217 currency code (e.g., USD)');
  if (input.amount <= 0n) throw errors.validation('Amount must be greater than 0');
  const result = await deps.db.transaction(async (tx): Promise<InboundTransferResult> => {
    const uow = unitOf(tx, ctx);
    const now = ctx.clock.now();
    const id = newId(ID_PREFIXES.inboundTransfer, now);
    if (input.connectorKey !== null) {
      const claim = await claimRequestId(uow, CONNECTOR_KEY_SCOPE, input.connectorKey, id);
      if (!claim.claimed) {
        const first = await findTransfer(uow, claim.existingResourceId);
        if (!first) throw new Error(`connector key ${input.connectorKey} names ${claim.existingResourceId}, which does not exist`);
        // Its payment is read once this transaction has ended (it wrote nothing): on PGlite a read beside an open
        // transaction would wait for it forever.
        return { transfer: first, payment: null, replayed: true };
      }
    }
    const [account] = await tx.select().from(virtualAccounts)
      .where(and(tenantFilter(virtualAccounts, ctx.tenant), eq(virtualAccounts.accountNumber, input.accountNumber.trim())));
    if (!account) throw errors.notFound('Virtual Account');
    const returnReason = account.status !== 'active' ? RETURN_REASONS.closed(account)
      : account.currency !== currency ? RETURN_REASONS.currency(account, currency) : null;
    let payment: Payment | null = null;
    if (returnReason === null) {
      ({ payment } = await deps.payments.receiveTransfer(uow, {
        currency, amount: input.amount, reference: input.reference, sanctionedRemitter: input.remitterName === 'Sanctioned_Entity',
        details: {
          sender_name: input.remitterName,
          sender_account_number: input.remitterAccountNumber,
          receiver_account_number: account.accountNumber,
          remittance_information: input.reference,
          transfer_type: account.paymentType,
          external_reference: id,
        },
      }));
    }
    const status: InboundTransferStatus = returnReason === null ? 'credited' : 'returned';
    const [transfer] = await tx.insert(inboundTransfers).values({
      id, ...ctx.tenant, virtualAccountId: account.id, status, currency, amount: input.amount,
      remitterName: input.remitterName, remitterAccountNumber: input.remitterAccountNumber, reference: input.reference,
      connectorKey: input.connectorKey, paymentId: payment?.id ?? null, returnReason, createdAt: now,
    }).returning();
    return { transfer: transfer!, payment, replayed: false };
  });
  if (!result.replayed || result.transfer.paymentId === null) return result;
  return { ...result, payment: await deps.payments.get(ctx, result.transfer.paymentId) };
}
