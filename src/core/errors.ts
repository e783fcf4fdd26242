// The one error registry: every error the API answers is an entry of ERRORS below (its status, its stable machine
// code and its message template), and goes out in the contract's flat shape
// `{"error": "<reason phrase>", "message": "...", "code": "..."}`. An ApiError can only be built from an entry.
import { STATUS_CODES } from 'node:http';

export interface ErrorBody {
  error: string;
  message: string;
  code?: string;
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** Rails' `humanize`: `expire_after_in_seconds` -> `Expire after in seconds`. */
export function humanize(field: string): string {
  const words = field.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * One answer: `message` is the text itself, or its template over typed parameters. `error` is the status's reason
 * phrase unless the contract words it otherwise for that answer (`"Duplicate record"` on a virtual account's 409).
 */
export interface ErrorSpec {
  readonly status: number;
  readonly code: string;
  readonly message: string | ((...args: never[]) => string);
  readonly error?: string;
}

/** The contract's text for invalid input. */
const validationFailed = (detail: string) => `Validation failed: ${detail}`;

/**
 * How a refused quote is named. Orders word a payin quote's refusals as the payin notes do (`Quote has expired`);
 * payouts and balance conversions name the field (`quote_id has expired`, notes-payouts §13.2).
 */
export type QuoteSubject = 'Quote' | 'quote_id';

/**
 * Every answer of the API, by name. Several entries share a code (each resource words its INVALID_STATE), and a few
 * codes answer more than one status, on purpose and per resource:
 * - DUPLICATE_REQUEST_ID is 400 for orders, payments and refunds but 409 Conflict for payouts (see duplicateRequest);
 * - VALIDATION_FAILED and INVALID_STATE are 422 in the v2 beneficiary create and review (the contract's answers).
 */
export const ERRORS = {
  // Input
  validation: { status: 400, code: 'VALIDATION_FAILED', message: validationFailed },
  blank: { status: 400, code: 'VALIDATION_FAILED', message: (field: string) => validationFailed(`${humanize(field)} can't be blank`) },
  unsupportedPayinCurrency: {
    status: 400,
    code: 'VALIDATION_FAILED',
    message: (currencies: readonly string[]) => validationFailed(`Currency code must be valid (${currencies.join(', ')}).`),
  },
  withdrawalAccountRequired: {
    status: 400,
    code: 'VALIDATION_FAILED',
    message: validationFailed("Withdrawal account id can't be blank when there are several withdrawal accounts"),
  },
  /** The v2 beneficiary create words its 400s without the `Validation failed: ` prefix, as the contract does. */
  beneficiaryInvalid: { status: 400, code: 'VALIDATION_FAILED', message: (message: string) => message },
  /** The v2 beneficiary create's 422s: the duplicate account and the notes (`Validation failed: Notes <field> is required`). */
  beneficiaryUnprocessable: { status: 422, code: 'VALIDATION_FAILED', message: validationFailed },
  invalidParameter: { status: 400, code: 'INVALID_PARAMETER', message: (message: string) => message },
  invalidIdPrefix: { status: 400, code: 'INVALID_ID', message: (prefix: string) => `Id must start with '${prefix}_'` },
  malformedJson: { status: 400, code: 'MALFORMED_JSON', message: 'Malformed JSON in request body' },
  /** A NUL byte or an unpaired surrogate, which the database cannot store (core/text-guard). */
  unstorableText: {
    status: 400,
    code: 'VALIDATION_FAILED',
    message: (field: string) => validationFailed(`${field} must not contain NUL bytes or unpaired surrogates`),
  },
  quoteLockedField: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (field: string) => `${field} cannot be specified when quote_id is present`,
  },

  // Idempotent creates: one entry per resource, reached through duplicateRequest(resource).
  orderDuplicateRequest: { status: 400, code: 'DUPLICATE_REQUEST_ID', message: 'Order already exists for this request_id' },
  paymentDuplicateRequest: { status: 400, code: 'DUPLICATE_REQUEST_ID', message: 'Payment already exists for this request_id' },
  refundDuplicateRequest: { status: 400, code: 'DUPLICATE_REQUEST_ID', message: 'Refund already exists for this request_id' },
  payoutDuplicateRequest: { status: 409, code: 'DUPLICATE_REQUEST_ID', message: 'Record already exists' },

  // Balances
  /** A debit the balance cannot cover; `shortfall` is what the account would additionally need, in minor units. */
  insufficientBalance: {
    status: 400,
    code: 'INSUFFICIENT_BALANCE',
    message: (shortfall: bigint) =>
      `Account has insufficient balance to process this transaction. Additional amount required: ${shortfall}.`,
  },

  // FX and quotes
  identicalCurrencies: {
    status: 400,
    code: 'IDENTICAL_CURRENCIES',
    message: (source: string, target: string) => `${source} and ${target} must be different`,
  },
  unsupportedCurrency: {
    status: 400,
    code: 'UNSUPPORTED_CURRENCY',
    message: (currency: string, what: string) => `Currency ${currency} is not supported for ${what}`,
  },
  amountTooSmall: { status: 400, code: 'AMOUNT_TOO_SMALL', message: 'Amount is too small to convert' },
  /** A fee or a conversion took an accepted amount past 2^53 − 1 minor units, the largest the API can answer. */
  amountBeyondJsonRange: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: 'Amount with its fees is larger than the API can carry: use a smaller amount',
  },
  oneAmount: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (source: string, target: string) => `You can only send ${source} or ${target}, not both.`,
  },
  noAmount: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (source: string, target: string) => `You must send either ${source} or ${target}.`,
  },
  quoteNotFound: { status: 400, code: 'QUOTE_NOT_FOUND', message: (subject: QuoteSubject) => `${subject} not found` },
  quoteWrongResource: {
    status: 400,
    code: 'QUOTE_WRONG_RESOURCE',
    message: (resource: string) => `Quote is not a ${resource} quote`,
  },
  quoteUsed: { status: 400, code: 'QUOTE_USED', message: (subject: QuoteSubject) => `${subject} has already been used` },
  quoteExpired: { status: 400, code: 'QUOTE_EXPIRED', message: (subject: QuoteSubject) => `${subject} has expired` },

  // Lifecycles: the state rules orders, payment links, payments, refunds, RFIs and withdrawals share.
  invalidTransition: {
    status: 400,
    code: 'INVALID_STATE',
    message: (entity: string, from: string, to: string) => `${entity} cannot move from ${from} to ${to}`,
  },
  documentsOnlyWhenActionRequired: {
    status: 400,
    code: 'INVALID_STATE',
    message: (entity: string, status: string) =>
      `${entity} is ${status}: documents can only be submitted while it is action_required`,
  },
  noPendingRfi: {
    status: 400,
    code: 'INVALID_STATE',
    message: (entity: string, status: string) => `${entity} is ${status}: it has no pending RFI`,
  },
  rfiNotAnswerable: {
    status: 400,
    code: 'INVALID_STATE',
    message: (status: string) => `RFI is ${status}: it can only be answered while action_required`,
  },
  stateChangeNotAllowed: { status: 400, code: 'INVALID_STATE', message: 'State change not allowed' },

  // Pay-ins (orders and payment links) and their payments
  payinNotActive: {
    status: 400,
    code: 'INVALID_STATE',
    message: (payin: string, status: string) => `${payin} is ${status}: a payment can only be made while it is active`,
  },
  payinMethodNotAccepted: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (payin: string, method: string) => `${payin} does not accept ${method} payments`,
  },
  paymentLinkNotActive: {
    status: 400,
    code: 'INVALID_STATE',
    message: (status: string, action: string) => `Payment link is ${status}: only an active payment link can be ${action}`,
  },
  paymentLinkNotUnderReview: { status: 400, code: 'INVALID_STATE', message: 'Payment link is not under review.' },
  /** A part of a link that allows partial payments (decision 0037) larger than what remains to be paid. */
  paymentLinkPartTooLarge: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (currency: string, remaining: bigint) => `Amount must not exceed what remains to be paid in ${currency}: ${remaining}`,
  },
  paymentLinkPartialNotAllowed: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: 'This payment link does not allow partial payments: pay the whole amount due',
  },
  paymentLinkPartialCurrency: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (currency: string) => `A partial payment of this payment link must be made in ${currency}`,
  },
  // Subscriptions
  subscriptionInvalidState: {
    status: 400,
    code: 'INVALID_STATE',
    message: (action: string, status: string) => `Subscription cannot be ${action} from current state: ${status}`,
  },
  subscriptionAsPresented: {
    status: 400,
    code: 'INVALID_STATE',
    message: (action: string) => `An as_presented subscription cannot be ${action}`,
  },
  subscriptionNotAsPresented: {
    status: 400,
    code: 'INVALID_STATE',
    message: 'Only an as_presented subscription can be charged with an amount',
  },
  subscriptionAmountAboveMax: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (maxAmount: bigint) => `Amount must not exceed the subscription's max_amount of ${maxAmount}`,
  },
  paymentNotSuccess: { status: 400, code: 'INVALID_STATE', message: 'Payment must be in success status' },
  /** A new attempt while one waits for its card authentication (the contract's wording, `order` or `payment link`). */
  payinPaymentInProgress: { status: 400, code: 'INVALID_STATE', message: (payin: string) => `The ${payin} has an existing in progress payment` },
  /** `POST /payment` names exactly one of the two. */
  paymentTargetAmbiguous: { status: 400, code: 'INVALID_PARAMETER', message: 'Exactly one of order_id or subscription_id must be provided' },
  callbackUrlNotHttps: { status: 400, code: 'INVALID_PARAMETER', message: 'callback_url must be an absolute https URL' },
  fundsAlreadyAvailable: { status: 400, code: 'INVALID_STATE', message: 'Transaction already has funds available' },
  paymentAmountMismatch: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (currency: string, due: bigint) => `Amount must equal the amount due in ${currency}: ${due}`,
  },
  /** connect-payin and eligible-payins resolve only a held transfer that matched no payin or the wrong amount. */
  paymentNotConnectable: {
    status: 400,
    code: 'INVALID_STATE',
    message: (state: string) => `Payment is ${state}: only an action_required bank transfer with PAYIN_NOT_FOUND or PAYIN_AMOUNT_MISMATCH can be connected to a payin`,
  },
  /** A transfer to a closed virtual account (or in another currency than the account's) is returned to its sender. */
  transferReturned: {
    status: 422,
    code: 'TRANSFER_RETURNED',
    message: (reason: string) => `Transfer returned: ${reason}`,
  },
  /** The sandbox mock's card (`INVALID_PARAMETER`), not the checkout's card check (`NOT_A_TEST_CARD`). */
  paymentNotTestCard: { status: 400, code: 'INVALID_PARAMETER', message: 'Card is not a valid test card' },

  // The hosted checkout's card check and payment methods
  cardNumberFormat: { status: 400, code: 'INVALID_CARD_NUMBER', message: 'Card number must be 12 to 19 digits' },
  cardNumberInvalid: { status: 400, code: 'INVALID_CARD_NUMBER', message: 'Card number is invalid' },
  cardNotATestCard: { status: 400, code: 'NOT_A_TEST_CARD', message: 'Card is not a valid test card' },
  cardExpiryInvalid: { status: 400, code: 'INVALID_CARD_EXPIRY_DATE', message: 'Card expiry date is invalid' },
  cardExpired: { status: 400, code: 'CARD_EXPIRED', message: 'Card has expired' },
  cardCvvInvalid: { status: 400, code: 'INVALID_CARD_CVV', message: (digits: number) => `Card CVV must be ${digits} digits` },
  cardPaymentsUnavailable: {
    status: 400,
    code: 'PAYMENT_METHOD_UNAVAILABLE',
    message: 'Card payments need a card processor, which this server does not have',
  },
  payViaBankUnavailable: {
    status: 400,
    code: 'PAYMENT_METHOD_UNAVAILABLE',
    message: "Pay via bank needs a connection to the customer's bank, which this server does not have",
  },
  bankTransferUnavailable: {
    status: 400,
    code: 'PAYMENT_METHOD_UNAVAILABLE',
    message: 'Bank transfers need a virtual account to receive them, which this server does not issue yet',
  },
  virtualAccountsUnavailable: {
    status: 400,
    code: 'VIRTUAL_ACCOUNTS_UNAVAILABLE',
    message: 'Virtual accounts need a bank that issues them, which this server does not have in production yet',
  },
  checkoutNoSecretKey: {
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    message: 'Checkout is unavailable: the merchant has no active secret key',
  },

  // Keys (decision 0036)
  /** An MCP credential on a key-management route. */
  secretKeyRequired: { status: 401, code: 'UNAUTHORIZED', message: 'This operation takes a secret key, not an MCP credential' },
  /** The operator asked for a child merchant's key in an environment the child does not live in. */
  merchantNotInEnvironment: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (env: string) => `Merchant has no ${env} environment: a child merchant lives in its platform's environment only`,
  },

  // Platform merchants (set by the operator) and their routes (the contract's words, notes-payouts §21.2)
  childCannotBePlatform: { status: 400, code: 'INVALID_STATE', message: 'A child merchant cannot be a platform' },
  platformHasChildren: { status: 400, code: 'INVALID_STATE', message: 'A platform with child merchants stays a platform' },
  /** A key that is not a platform's on a platform route: the contract's 401. */
  platformOnly: { status: 401, code: 'UNAUTHORIZED', message: 'Invalid or missing authentication token' },
  platformMerchantIdFormat: { status: 400, code: 'INVALID_ID', message: 'Invalid merchant ID format' },
  platformMerchantNotFound: { status: 404, code: 'NOT_FOUND', message: 'Merchant with the specified ID was not found' },
  onboardingNotPending: {
    status: 400,
    code: 'INVALID_STATE',
    message: (status: string) => `Merchant onboarding is ${status}: only a pending merchant can be moved`,
  },

  // Internal transfers (notes-payouts §17)
  internalTransferSameMerchant: {
    status: 400,
    code: 'IDENTICAL_MERCHANTS',
    message: 'from_merchant_id and to_merchant_id must be different',
  },
  /** The caller is in no platform hierarchy (neither a platform nor a child merchant). */
  internalTransferNoHierarchy: {
    status: 400,
    code: 'NOT_IN_PLATFORM_HIERARCHY',
    message: 'Internal transfers move money within one platform hierarchy only: platform to child, child to platform, or between children of the same platform',
  },
  internalTransferNotPayer: {
    status: 400,
    code: 'TRANSFER_NOT_ALLOWED',
    message: 'Only the platform or the paying merchant (from_merchant_id) can make an internal transfer',
  },
  /** Unknown, of another environment or of another hierarchy: one answer, so that none is revealed. */
  internalTransferMerchantNotFound: {
    status: 400,
    code: 'MERCHANT_NOT_FOUND',
    message: (field: string) => `${field} is not a merchant of this platform hierarchy in this environment`,
  },

  // Virtual accounts (the contract's own words)
  virtualAccountMissingParameters: { status: 400, code: 'VALIDATION_FAILED', message: 'Missing Required parameters' },
  virtualAccountNumberTaken: { status: 409, code: 'DUPLICATE_RECORD', error: 'Duplicate record', message: 'Account number already belongs to a virtual account' },
  virtualAccountExists: { status: 409, code: 'DUPLICATE_RECORD', error: 'Duplicate record', message: 'Virtual Account already exists' },
  virtualAccountCurrency: {
    status: 400,
    code: 'UNSUPPORTED_CURRENCY',
    message: (currencies: readonly string[]) => `Currency must be one of ${currencies.join(', ')} for a virtual account`,
  },

  // Settlements (the contract's 422 wording, notes-payouts §20.2)
  settlementTarget: {
    status: 400,
    code: 'VALIDATION_FAILED',
    message: validationFailed('provide either amount and balance_currency, or payment_ids'),
  },
  paymentsNotSettleable: {
    status: 422,
    code: 'PAYMENTS_NOT_SETTLEABLE',
    message: (reason: string) => `Payments cannot be settled: ${reason}`,
  },
  settlementsUnavailable: {
    status: 400,
    code: 'SETTLEMENTS_UNAVAILABLE',
    message: 'Settlements need a connection to a bank, which this server does not have in production yet',
  },

  // Refunds
  refundPaymentNotSuccess: {
    status: 400,
    code: 'INVALID_STATE',
    message: (status: string) => `Payment is ${status}: only a success payment can be refunded`,
  },
  refundPaymentTooOld: {
    status: 400,
    code: 'INVALID_STATE',
    message: (windowDays: number) => `Payment is older than ${windowDays} days and cannot be refunded`,
  },
  refundMethodNotRefundable: { status: 400, code: 'INVALID_STATE', message: 'Pay-via-bank payments cannot be refunded' },
  refundPaymentFullyRefunded: { status: 400, code: 'INVALID_STATE', message: 'Payment is already fully refunded' },
  refundExceedsRemaining: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (remaining: bigint) =>
      `Amount exceeds the refundable amount of the payment: at most ${remaining} can be refunded`,
  },
  partialRefundsDisabled: { status: 400, code: 'INVALID_PARAMETER', message: 'Partial refunds are not enabled for this business' },
  refundDocumentsNotSupported: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: 'Refund documents are not supported yet: send no document_id, document_url or file_name',
  },
  refundNotInProgress: {
    status: 400,
    code: 'INVALID_STATE',
    message: (status: string) => `Refund is ${status}: only an in_progress refund can be updated`,
  },
  refundDocumentsAfterFinal: {
    status: 400,
    code: 'INVALID_STATE',
    message: (status: string) => `Refund is ${status}: documents can only be attached while it is in_progress`,
  },

  // Payouts
  payoutBeneficiaryPending: {
    status: 400,
    code: 'BENEFICIARY_NOT_ACTIVE',
    message: 'Beneficiary verification is pending: payouts can be made once it is active',
  },
  payoutBeneficiaryRejected: {
    status: 400,
    code: 'BENEFICIARY_NOT_ACTIVE',
    message: 'Beneficiary has been rejected: payouts cannot be made to it',
  },
  payoutNotPayoutBeneficiary: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: 'Beneficiary is an LRS beneficiary: payouts need a payout beneficiary',
  },
  payoutCurrencyMismatch: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (currency: string) => `destination_currency must be the beneficiary's account currency ${currency}`,
  },
  payoutQuoteIncompatible: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: 'Quote is not compatible with the selected beneficiary',
  },
  /** The text is the rail table's refusal (payouts/rails `railRefusalMessage`). */
  payoutNoRails: { status: 400, code: 'NO_RAILS_AVAILABLE', message: (refusal: string) => refusal },
  payoutRailLimit: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (rail: string, limit: bigint, currency: string) => `destination_amount exceeds the ${rail} limit of ${limit} ${currency}`,
  },
  /** The text is the purpose table's refusal (payouts/purpose-codes `purposeRefusalMessage`). */
  payoutInvalidPurpose: { status: 400, code: 'INVALID_PURPOSE_CODE', message: (refusal: string) => refusal },
  payoutMissingDocuments: {
    status: 400,
    code: 'INVALID_PARAMETER',
    message: (purposeCode: string, kinds: readonly string[]) => `Purpose code ${purposeCode} requires documents: ${kinds.join(', ')}`,
  },
  payoutNotCancellable: { status: 400, code: 'INVALID_STATE', message: 'Payout cannot be cancelled in its current state' },
  payoutNotPendingApproval: {
    status: 400,
    code: 'INVALID_STATE',
    message: (status: string) => `Payout is ${status}: only a pending_approval payout can be approved or rejected`,
  },

  // Beneficiaries
  beneficiaryNotPending: {
    status: 422,
    code: 'INVALID_STATE',
    message: (status: string) => `Beneficiary is ${status}: only a pending beneficiary can be reviewed`,
  },

  // Withdrawals and bank account validation
  noWithdrawalAccount: {
    status: 400,
    code: 'NO_WITHDRAWAL_ACCOUNT',
    message: 'No withdrawal account is registered: contact support to add one',
  },
  bankAccountValidationUnavailable: {
    status: 400,
    code: 'NOT_AVAILABLE',
    message: 'Bank account validation is not available: no validation provider is connected to this server',
  },

  // Auth
  missingToken: { status: 401, code: 'UNAUTHORIZED', message: 'Missing token' },
  invalidToken: { status: 401, code: 'UNAUTHORIZED', message: 'Auth token expired or invalid' },

  // The sandbox test clock
  clockBusy: {
    status: 409,
    code: 'CLOCK_BUSY',
    message: 'Another advance of this sandbox clock is still running; try again when it has finished',
  },
  clockAdvanceStopped: {
    status: 409,
    code: 'CLOCK_ADVANCE_STOPPED',
    message: (ran: Record<string, number>) =>
      `The advance stopped after ${Object.values(ran).reduce((a, b) => a + b, 0)} jobs; the clock stays where it got to: advance again to go on`,
  },

  // Backups (GET /admin/v1/backup): only an embedded server on a data folder can write one
  backupUnavailable: { status: 409, code: 'BACKUP_UNAVAILABLE', message: (reason: string) => reason },

  // Routing, transport and the server
  /** Another tenant's object answers exactly like a missing one, so existence never leaks. */
  notFound: { status: 404, code: 'NOT_FOUND', message: (entity: string) => `${entity} not found` },
  routeNotFound: {
    status: 404,
    code: 'ROUTE_NOT_FOUND',
    message: (method: string, url: string) => `Route ${method} ${url.split('?')[0]} not found`,
  },
  methodNotAllowed: { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Method not allowed' },
  payloadTooLarge: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: (limitBytes: number) => `Request body is larger than ${limitBytes} bytes`,
  },
  fileTooLarge: { status: 413, code: 'FILE_TOO_LARGE', message: (limitBytes: number) => `File is larger than ${limitBytes} bytes` },
  unsupportedMediaType: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: (contentType: string | undefined) => `Unsupported Content-Type: ${contentType ?? '(none)'}`,
  },
  /** Over RATE_LIMIT_PER_MINUTE from one client IP (core/rate-limit); Glomo's gateway answers 429 with no rate headers. */
  rateLimited: {
    status: 429,
    code: 'RATE_LIMITED',
    message: (limitPerMinute: number, retryAfterSeconds: number) =>
      `Rate limit exceeded: at most ${limitPerMinute} requests per minute per client IP; retry in ${retryAfterSeconds} seconds`,
  },
  /** A request that arrives while the process drains for shutdown (decision 0023): another process answers it. */
  shuttingDown: {
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    message: 'The server is shutting down: retry the request',
  },
  /** Written by core/transport on the socket itself: the request did not all arrive within REQUEST_TIMEOUT_MS. */
  requestTimeout: {
    status: 408,
    code: 'REQUEST_TIMEOUT',
    message: (timeoutMs: number) => `Request headers and body did not arrive within ${timeoutMs} ms`,
  },
  headersTooLarge: { status: 431, code: 'HEADERS_TOO_LARGE', message: 'Request headers are too large' },
  malformedRequest: { status: 400, code: 'MALFORMED_REQUEST', message: 'Malformed HTTP request' },
  internal: { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorName = keyof typeof ERRORS;
export type ErrorCode = (typeof ERRORS)[ErrorName]['code'];
/** The parameters of an entry's message template (none for a fixed text). */
export type ErrorArgs<K extends ErrorName> = (typeof ERRORS)[K]['message'] extends (...args: infer A) => string ? A : [];

export class ApiError extends Error {
  /** Private: an ApiError comes from the registry (ApiError.of, errors.*), or from a framework's own client error. */
  private constructor(
    readonly statusCode: number,
    message: string,
    readonly code: string,
    /** The body's `error` when the contract words it otherwise than the reason phrase. */
    private readonly phrase?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The registry's answer `name`, its message filled in from `args`. */
  static of<K extends ErrorName>(name: K, ...args: ErrorArgs<K>): ApiError {
    const spec: ErrorSpec = ERRORS[name];
    const message = typeof spec.message === 'string' ? spec.message : (spec.message as (...a: unknown[]) => string)(...args);
    return new ApiError(spec.status, message, spec.code, spec.error);
  }

  /**
   * A framework error below 500 (Fastify's, @fastify/multipart's) answers its own status, message and code: they come
   * from the framework's registry, not ours, and are safe and specific. Anything else is our 500.
   */
  static fromFramework(error: { statusCode?: number; message: string; code?: string }): ApiError {
    const status = error.statusCode ?? 500;
    if (status < 400 || status >= 500) return ApiError.of('internal');
    return new ApiError(status, error.message, error.code ?? 'BAD_REQUEST');
  }

  toBody(): ErrorBody {
    return { error: this.phrase ?? reasonPhrase(this.statusCode), message: this.message, code: this.code };
  }
}

type ErrorFactories = { readonly [K in ErrorName]: (...args: ErrorArgs<K>) => ApiError };

/** One factory per registry entry: `errors.quoteExpired('Quote')` is `ApiError.of('quoteExpired', 'Quote')`. */
export const errors = Object.freeze(
  Object.fromEntries(
    (Object.keys(ERRORS) as ErrorName[]).map((name) => [name, (...args: never[]) => ApiError.of(name, ...(args as ErrorArgs<typeof name>))]),
  ),
) as ErrorFactories;

/** The resources whose create is idempotent on `request_id`. */
export type RequestIdResource = 'order' | 'payment' | 'refund' | 'payout';

const DUPLICATE_REQUEST = {
  order: 'orderDuplicateRequest',
  payment: 'paymentDuplicateRequest',
  refund: 'refundDuplicateRequest',
  payout: 'payoutDuplicateRequest',
} as const satisfies Record<RequestIdResource, ErrorName>;

/** A repeated `request_id`: 400 for orders, payments and refunds, 409 Conflict for payouts, as the contract has it. */
export function duplicateRequest(resource: RequestIdResource): ApiError {
  return ApiError.of(DUPLICATE_REQUEST[resource]);
}
