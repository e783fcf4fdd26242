// Every module of the process, in the order their routes are registered within each scope (and so the order of
// /openapi.json). Adding a module is one line here: app.ts registers its routes, composition.ts its job handlers.
import { webhooksModule } from '../webhooks/manifest.js';
import { apiKeysModule } from './api-keys/manifest.js';
import { balanceConversionsModule } from './balance-conversions/manifest.js';
import { balancesModule } from './balances/manifest.js';
import { bankAccountValidationModule } from './bank-account-validation/manifest.js';
import { beneficiariesModule } from './beneficiaries/manifest.js';
import { customersModule } from './customers/manifest.js';
import { documentsModule } from './documents/manifest.js';
import { internalTransfersModule } from './internal-transfers/manifest.js';
import { mailModule } from './mail/manifest.js';
import { mcpCredentialsModule } from './mcp-credentials/manifest.js';
import { merchantsModule } from './merchants/manifest.js';
import { ordersModule } from './orders/manifest.js';
import { paymentLinksModule } from './payment-links/manifest.js';
import { paymentsModule } from './payments/manifest.js';
import { payoutsModule } from './payouts/manifest.js';
import { pricesModule } from './prices/manifest.js';
import { quotesModule } from './quotes/manifest.js';
import { refundsModule } from './refunds/manifest.js';
import { rfisModule } from './rfis/manifest.js';
import { sandboxClockModule } from './sandbox-clock/manifest.js';
import { settlementsModule } from './settlements/manifest.js';
import { subscriptionsModule } from './subscriptions/manifest.js';
import { virtualAccountsModule } from './virtual-accounts/manifest.js';
import { withdrawalsModule } from './withdrawals/manifest.js';

export const MODULES = [
  customersModule,
  documentsModule,
  apiKeysModule,
  mcpCredentialsModule,
  balancesModule,
  balanceConversionsModule,
  quotesModule,
  ordersModule,
  paymentLinksModule,
  paymentsModule,
  subscriptionsModule,
  refundsModule,
  payoutsModule,
  rfisModule,
  pricesModule,
  webhooksModule,
  beneficiariesModule,
  bankAccountValidationModule,
  withdrawalsModule,
  virtualAccountsModule,
  settlementsModule,
  sandboxClockModule,
  merchantsModule,
  internalTransfersModule,
  mailModule,
] as const;
