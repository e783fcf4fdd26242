// The composition root: the process-wide services, each built once from the app's dependencies and shared by the
// routes, the job runner and the operator API. It is the one place that wires modules to each other (the RFI
// answerers, the pricing of payout quotes); the modules' routes and jobs come from their manifests (modules/index.ts).
import type { AppDeps } from './deps.js';
import { createCheckoutService, type CheckoutService } from './checkout/service.js';
import { JOBS_NOTIFY_CHANNEL, JobRunner, type Job, type JobHandler } from './core/jobs.js';
import { MODULES } from './modules/index.js';
import type { ModuleManifest } from './modules/manifest.js';
import { createApiKeyService, type ApiKeyService } from './modules/api-keys/service.js';
import { createBalanceConversionService, type BalanceConversionService } from './modules/balance-conversions/service.js';
import { createBalanceService, type BalanceService } from './modules/balances/service.js';
import { createBankAccountValidationService, type BankAccountValidationService } from './modules/bank-account-validation/service.js';
import { createBeneficiaryService, type BeneficiaryService } from './modules/beneficiaries/service.js';
import { createCustomerService, type CustomerService } from './modules/customers/service.js';
import { createDocumentService, type DocumentService } from './modules/documents/service.js';
import { createInternalTransferService, type InternalTransferService } from './modules/internal-transfers/service.js';
import { createMailService, smtpTransport, type MailService } from './modules/mail/service.js';
import { createMcpCredentialService, type McpCredentialService } from './modules/mcp-credentials/service.js';
import { refreshCredentialsOf } from './modules/merchants/credentials-file.js';
import { createMerchantService, type MerchantService } from './modules/merchants/service.js';
import { createPlatformService, type PlatformService } from './modules/merchants/platform.js';
import { createOrderService, type OrderService } from './modules/orders/service.js';
import { createPaymentLinkService, type PaymentLinkService } from './modules/payment-links/service.js';
import { createPaymentRfiService, type PaymentRfiService } from './modules/payments/rfi.js';
import { lastBilledCycle, recordSubscriptionPayment } from './modules/payments/subscription-payments.js';
import { createServerPaymentService, type ServerPaymentService } from './modules/payments/s2s.js';
import { createPaymentService, type PaymentService } from './modules/payments/service.js';
import { answerPayoutRfi, createPayoutService, payoutQuotePricing, type PayoutService } from './modules/payouts/service.js';
import { createPriceService, type PriceService } from './modules/prices/service.js';
import { createQuoteService, type QuoteService } from './modules/quotes/service.js';
import { createRefundService, type RefundService } from './modules/refunds/service.js';
import { createRfiService, type RfiService } from './modules/rfis/service.js';
import { createSandboxClockService, type SandboxClockService } from './modules/sandbox-clock/service.js';
import { createSettlementService, type SettlementLog, type SettlementService } from './modules/settlements/service.js';
import { createSubscriptionService, type SubscriptionService } from './modules/subscriptions/service.js';
import { createVirtualAccountService, type VirtualAccountService } from './modules/virtual-accounts/service.js';
import { createWithdrawalService, type WithdrawalService } from './modules/withdrawals/service.js';
import { createWebhookEndpointService, type WebhookEndpointService } from './webhooks/endpoints/service.js';
import { createWebhookEventService, type WebhookEventService } from './webhooks/events/service.js';

// What server.ts needs of the modules before the app exists: DATA_DIR's document store and the default merchant.
export { LocalDocumentStore } from './modules/documents/storage.js';
export { ensureDefaultMerchant, type Credentials } from './modules/merchants/bootstrap.js';

/** The modules' services: each operation takes the caller's TenantContext (tenant and its clock) first. */
export interface ModuleServices {
  customers: CustomerService;
  documents: DocumentService;
  apiKeys: ApiKeyService;
  mcpCredentials: McpCredentialService;
  balances: BalanceService;
  balanceConversions: BalanceConversionService;
  quotes: QuoteService;
  orders: OrderService;
  paymentLinks: PaymentLinkService;
  payments: PaymentService;
  serverPayments: ServerPaymentService;
  subscriptions: SubscriptionService;
  paymentRfis: PaymentRfiService;
  refunds: RefundService;
  payouts: PayoutService;
  rfis: RfiService;
  prices: PriceService;
  webhookEvents: WebhookEventService;
  webhookEndpoints: WebhookEndpointService;
  beneficiaries: BeneficiaryService;
  bankAccountValidations: BankAccountValidationService;
  withdrawals: WithdrawalService;
  virtualAccounts: VirtualAccountService;
  settlements: SettlementService;
  merchants: MerchantService;
  internalTransfers: InternalTransferService;
  platform: PlatformService;
  mail: MailService;
}

export interface Services extends ModuleServices {
  /** The hosted checkout's policy (its pages and publishable-key routes). */
  checkout: CheckoutService;
  /** Every job handler, polled by server.ts when JOBS_ENABLED, and run by sandbox clock advances in any process. */
  jobs: JobRunner;
  clocks: SandboxClockService;
}

/** Every module's manifest, checked here against what it is handed: its routes the services, its jobs the modules'. */
export const modules: readonly ModuleManifest<Services, ModuleServices>[] = MODULES;

/**
 * The modules' services, built once. Their dependencies are process-wide (database, FX rates, configuration); no
 * clock but real time for merchants and keys: every tenant operation reads its clock from the context it is given.
 */
export function composeModuleServices(deps: AppDeps, options: { log?: ServiceLog } = {}): ModuleServices {
  const db = deps.database.db;
  const fx = { fxRates: deps.fxRates, markupBps: deps.config.fxMarkupBps };
  // Customer mails (decision 0041): one SMTP transport per process when SMTP_URL is set, else the mail log only. Payment
  // links and subscriptions queue theirs through the seams below, in their own transactions; mail imports neither.
  const mail = createMailService({ db, from: deps.config.mailFrom, transport: deps.config.smtpUrl ? smtpTransport(deps.config.smtpUrl) : undefined });
  const subscriptions = createSubscriptionService({
    db, publicUrl: deps.config.publicUrl,
    // Subscriptions are charged through payments' recording (payments import no subscriptions, nor they payments' inner files).
    payments: { record: (uow, input) => recordSubscriptionPayment(uow, fx, input), lastBilledCycle },
    notifyCustomer: (uow, subscription, notice, customer) => mail.subscriptionMail(uow, subscription, notice, customer),
  });
  const payments = createPaymentService({ db, ...fx, publicUrl: deps.config.publicUrl });
  // The default merchant's keys in DATA_DIR/credentials.json follow every reissue and rotation of them.
  const keysChanged = (merchantId: string) =>
    refreshCredentialsOf({ db, keyRing: deps.keyRing, clock: deps.clock }, deps.config.dataDir, merchantId);
  return Object.freeze({
    customers: createCustomerService({ db }),
    documents: createDocumentService({ db, store: deps.documentStore, maxBytes: deps.config.documentMaxBytes }),
    apiKeys: createApiKeyService({ db, keyRing: deps.keyRing, realTime: deps.clock, keysChanged }),
    mcpCredentials: createMcpCredentialService({
      db, keyRing: deps.keyRing, realTime: deps.clock, audience: deps.config.mcpAudience, maxLifetimeSeconds: deps.config.mcpCredentialMaxSeconds,
    }),
    balances: createBalanceService({ db }),
    balanceConversions: createBalanceConversionService({ db, ...fx }),
    // Quotes sit below payouts (payouts consume quotes): payout quotes are priced by what payouts hand in here.
    quotes: createQuoteService({
      db, ...fx, quoteTtlSeconds: deps.config.quoteTtlSeconds, payoutPricing: payoutQuotePricing(deps.fxRates),
    }),
    orders: createOrderService({ db }),
    paymentLinks: createPaymentLinkService({
      db, publicUrl: deps.config.publicUrl,
      sendLink: (uow, link, customer) => mail.paymentLinkMail(uow, link, false, customer),
      sendReminder: (uow, link) => mail.paymentLinkMail(uow, link, true),
    }),
    payments,
    // Server-to-server payments pay subscriptions through that module's operations (payments import no subscriptions).
    serverPayments: createServerPaymentService({ db, ...fx, publicUrl: deps.config.publicUrl, subscriptions }),
    subscriptions,
    paymentRfis: createPaymentRfiService({ db }),
    refunds: createRefundService({ db }),
    payouts: createPayoutService({ db, ...fx, railDelaySeconds: deps.config.sandboxRailDelaySeconds }),
    // RFIs are answered by the module that owns the RFI's object: rfis imports none of them.
    rfis: createRfiService({ db, answerers: { payout: answerPayoutRfi } }),
    prices: createPriceService({ db }),
    webhookEvents: createWebhookEventService({ db }),
    webhookEndpoints: createWebhookEndpointService({ db, allowPrivateTargets: deps.config.webhookAllowPrivateTargets }),
    beneficiaries: createBeneficiaryService({ db }),
    bankAccountValidations: createBankAccountValidationService({ db }),
    withdrawals: createWithdrawalService({ db, ...fx }),
    virtualAccounts: createVirtualAccountService({ db, payments }),
    settlements: createSettlementService({
      db, railDelaySeconds: deps.config.sandboxRailDelaySeconds, realTime: deps.clock, ...(options.log ? { log: options.log } : {}),
    }),
    merchants: createMerchantService({ db, keyRing: deps.keyRing, clock: deps.clock, keysChanged }),
    internalTransfers: createInternalTransferService({ db, currencies: deps.config.internalTransferCurrencies }),
    platform: createPlatformService({ db, keyRing: deps.keyRing, clock: deps.clock }),
    mail,
  });
}

/** Every module's job handlers, by queue: a queue claimed by two modules is a wiring error. */
export function jobHandlers(
  deps: AppDeps,
  services: ModuleServices,
  manifests: readonly ModuleManifest<Services, ModuleServices>[] = modules,
): Record<string, JobHandler> {
  const handlers: Record<string, JobHandler> = {};
  const owners = new Map<string, string>();
  for (const module of manifests) {
    for (const [queue, handler] of Object.entries(module.jobs?.(deps, services) ?? {})) {
      const owner = owners.get(queue);
      if (owner !== undefined) throw new Error(`job queue ${queue} is claimed by modules ${owner} and ${module.name}`);
      owners.set(queue, module.name);
      handlers[queue] = handler;
    }
  }
  return handlers;
}

/** The process's logger as the services take it (Fastify's pino logger is one): what scheduled work did not do, and why. */
export type ServiceLog = SettlementLog;

export function composeServices(
  deps: AppDeps,
  options: { onJobError?: (error: unknown, job?: Job) => void; log?: ServiceLog } = {},
): Services {
  const moduleServices = composeModuleServices(deps, options.log ? { log: options.log } : {});
  const jobs = new JobRunner({
    db: deps.database.db,
    clock: deps.clock,
    pollMs: deps.config.jobsPollMs,
    leaseMs: deps.config.jobsLeaseMs,
    concurrency: deps.config.jobsConcurrency,
    // New jobs wake a started runner at once (the jobs table's insert trigger notifies; decision 0021).
    wake: (onWake) => deps.database.listen(JOBS_NOTIFY_CHANNEL, onWake),
    handlers: jobHandlers(deps, moduleServices),
    onError: options.onJobError,
  });
  const clocks = Object.freeze(createSandboxClockService({ db: deps.database.db, clock: deps.clock, jobs }));
  const checkout = createCheckoutService({
    db: deps.database.db, keyRing: deps.keyRing, realTime: deps.clock,
    orders: moduleServices.orders, payments: moduleServices.payments, merchants: moduleServices.merchants,
    virtualAccounts: moduleServices.virtualAccounts,
  });
  return Object.freeze({ ...moduleServices, jobs, clocks, checkout });
}
