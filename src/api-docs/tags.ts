// The tags of /openapi.json, in the order a reader meets them: the contract's resources first, named and ordered as
// Glomo's document names and orders them (with its `x-tagGroups`), then what this server adds, each in a group of its
// own. Every operation's tag must be one of these (document.ts refuses an unknown one, so a new route cannot land
// outside the navigation).

export interface ApiTag {
  name: string;
  description: string;
}

export interface TagGroup {
  name: string;
  tags: string[];
}

/** The contract's tags in its order (glomo-openapi-2025.json `tags`), then `beneficiary_v2` of the 2026 document. */
const CONTRACT_TAGS: readonly ApiTag[] = [
  { name: 'balance_conversions', description: 'Convert between the currencies of your balances at a quoted rate.' },
  { name: 'payment_link', description: 'Payment links: a hosted page on which a customer pays an amount, in full or in parts.' },
  { name: 'Customer', description: 'The payers of your orders, subscriptions and payment links.' },
  { name: 'Document', description: 'Uploaded files (invoices, identity documents) that payins, payouts and RFIs refer to.' },
  { name: 'Payment', description: 'Payments made on orders, payment links and subscriptions; the sandbox payment mocks.' },
  { name: 'Refund', description: 'Refunds of successful payments, in full or (cards, where enabled) in part.' },
  { name: 'Payout', description: 'Money sent from a balance to a beneficiary, with quotes, documents and RFIs.' },
  { name: 'Balance', description: 'Available, pending and held balances per currency, from the ledger.' },
  { name: 'bank_account_validation', description: 'Check that a bank account exists and whose it is before paying it.' },
  { name: 'Beneficiary', description: 'The recipients of payouts (v1).' },
  { name: 'beneficiary_v2', description: 'The recipients of payouts (v2, `/api/v2`).' },
  { name: 'Price', description: 'Recurring prices that subscriptions charge.' },
  { name: 'Withdrawal', description: 'Money moved from a balance to your own registered bank account.' },
  { name: 'withdrawal_account', description: 'Your bank accounts that withdrawals pay into.' },
  { name: 'Orders', description: 'Orders: an amount a customer pays through the hosted checkout.' },
  { name: 'Subscription', description: 'Recurring charges of a price to a customer\'s saved card.' },
  { name: 'Webhook', description: 'Webhook events as Glomo documents them.' },
  { name: 'Settlement', description: 'Payouts of your available balance to your settlement account, with their transactions.' },
  { name: 'virtual_account', description: 'Account numbers your customers pay into by bank transfer, with the transfers received.' },
  { name: 'platform', description: 'Platforms: onboard child merchants and act for them.' },
  { name: 'internal_transfer', description: 'Move money between a platform and its child merchants.' },
];

/** What this server adds to the contract (extensions, docs/decisions/0004-contract-choices.md). */
const SERVER_TAGS: readonly ApiTag[] = [
  { name: 'Quotes', description: 'Payout and conversion quotes retrieved by id (an extension).' },
  { name: 'RFI', description: 'Requests for information on payins and payouts, and their answers (notes-payouts §13.8).' },
  { name: 'Webhook endpoint', description: 'Where your webhooks go: create, update, rotate the signing secret, send a test.' },
  { name: 'Event', description: 'Every webhook event recorded for you, with each delivery attempt; redeliver one.' },
  { name: 'mail', description: 'The mails sent to your customers (payment links, reminders, subscription notices), and how each went.' },
  { name: 'Sandbox', description: 'The sandbox test clock: read it and move it forward to make time-based work due.' },
  { name: 'api_key', description: 'Rotate your secret key.' },
  { name: 'mcp_credential', description: 'Credentials for Glomo\'s MCP server, minted and revoked like keys.' },
  { name: 'Checkout', description: 'What the hosted checkout, payment link and subscription pages call (publishable key or none).' },
  { name: 'keys', description: 'The public keys of this server\'s JWTs, for verifiers such as glomo-mcp-server.' },
  { name: 'health', description: 'Whether the server and its database answer.' },
  { name: 'admin', description: 'The operator API (`ADMIN_TOKEN`): merchants, keys, ledger checks, approvals, backups.' },
];

export const API_TAGS: readonly ApiTag[] = [...CONTRACT_TAGS, ...SERVER_TAGS];

/** The contract's groups (its `x-tagGroups`, with `beneficiary_v2` and the extensions placed), then the server's own. */
export const TAG_GROUPS: readonly TagGroup[] = [
  { name: 'Multi Currency Account', tags: ['Balance', 'balance_conversions'] },
  { name: 'Payin', tags: ['payment_link', 'Orders', 'Customer', 'Document', 'Payment', 'Refund', 'Price'] },
  { name: 'Subscription', tags: ['Subscription'] },
  { name: 'Payout', tags: ['Payout', 'Quotes', 'RFI', 'Beneficiary', 'beneficiary_v2', 'bank_account_validation'] },
  { name: 'Internal Transfer', tags: ['internal_transfer'] },
  { name: 'Withdrawal', tags: ['Withdrawal', 'withdrawal_account'] },
  { name: 'Settlement', tags: ['Settlement'] },
  { name: 'Virtual Account', tags: ['virtual_account'] },
  { name: 'Platform', tags: ['platform'] },
  { name: 'Webhooks', tags: ['Webhook', 'Webhook endpoint', 'Event'] },
  { name: 'Customer mail', tags: ['mail'] },
  { name: 'Sandbox', tags: ['Sandbox'] },
  { name: 'Keys', tags: ['api_key', 'mcp_credential', 'keys'] },
  { name: 'Hosted pages', tags: ['Checkout'] },
  { name: 'Operator', tags: ['health', 'admin'] },
];
