// The hosted payment link page's script (plain browser JavaScript, no build step, served by this server only; decision
// 0037). It reads the link through GET /api/public/v1/payment-link/{id} (no key: the page URL is the link's id), shows
// what is asked and, for a link paid in parts, what was paid and what remains, and takes a payment by one of the link's
// methods through POST /api/public/v1/payment-link/{id}/payments: all that remains or, where the link allows it, the
// part the customer enters. The card form, the requests, the result panel and the report are card-form.js's (loaded
// before this script), as on the order checkout. A result is reported to the embedding site: by navigating to the
// page's redirect_url with the signed result, or else by postMessage to the parent frame or the opener. The card
// number and CVV stay in the form fields and go only into that one POST body: never into a URL, storage, the console
// or the DOM's attributes.
/* global window, document, navigator */

const {
  $, requestJson, formatAmount, showError, clearError, reportResult, loadPageObject, postPayment, setUpCardForm,
  PAYIN_METHODS, selectMethodTab, showBankTransferDetails,
} = window.glomoCardForm;

const root = document.getElementById('payment-link');
const LINK_ID = root.dataset.paymentLinkId;
const REDIRECT_URL = root.dataset.redirectUrl || '';
const SANDBOX = root.dataset.mode === 'sandbox';

let link = null;
let finished = false;

// ---------------------------------------------------------------- the API

const api = (method, path, body) => requestJson(method, path, body);

const linkPath = (suffix = '') => `/api/public/v1/payment-link/${encodeURIComponent(LINK_ID)}${suffix}`;

// ---------------------------------------------------------------- the part to pay

/** The currency's minor-unit digits (2 for USD), as the amounts are formatted. */
function minorDigits(currency) {
  try {
    return new Intl.NumberFormat(navigator.language || 'en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

/** Minor units as a plain decimal string for the amount field (`4000` USD → `40.00`). */
function decimalOf(minor, currency) {
  const digits = minorDigits(currency);
  const text = String(minor).padStart(digits + 1, '0');
  return digits > 0 ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
}

/** The amount field in minor units, without floating point; null when it is not an amount. */
function minorOf(text, currency) {
  const digits = minorDigits(currency);
  const match = /^\s*(\d{1,15})(?:[.,](\d*))?\s*$/.exec(text);
  if (!match || (match[2] || '').length > digits) return null;
  return Number(match[1] + (match[2] || '').padEnd(digits, '0'));
}

/**
 * What this payment pays of the link: undefined for all that remains (a link without partial payments always), else
 * the entered part; null (with the error shown) when the entry is not an amount between one minor unit and the rest.
 */
function currentPart() {
  if (!link.allow_partial_payments) return undefined;
  clearError($('part-error'));
  const part = minorOf($('part-amount').value, link.currency);
  if (part === null || part < 1 || part > link.amount_remaining) {
    showError($('part-error'), `Enter an amount up to ${formatAmount(link.amount_remaining, link.currency)}.`);
    return null;
  }
  return part === link.amount_remaining ? undefined : part;
}

/** What the pay buttons name: the part entered, else what paying the rest costs (a fee the merchant passes on included). */
function payAmountText() {
  const part = link.allow_partial_payments ? minorOf($('part-amount').value, link.currency) : null;
  const amount = part !== null && part >= 1 && part < link.amount_remaining ? part : link.amount_due;
  return formatAmount(amount, link.currency);
}

const payLabel = () => `Pay ${payAmountText()}`;

// ---------------------------------------------------------------- reporting the result

/** Reports a result: redirect when asked to (then no message, notes-payins §7.1), else postMessage. */
const report = (type, result, final) => reportResult(type, ['payment_link_id', LINK_ID], result, final ? REDIRECT_URL : '');

/** The result panel; with a redirect_url there is no retry (the result has navigated away). */
const showResult = (title, text, options = {}) =>
  window.glomoCardForm.showResult(root, ['methods', 'part'], title, text, { ...options, retry: options.retry && !REDIRECT_URL });

/** A 201 answer of the payment step, shown and reported. */
function finishPayment(result) {
  const charged = formatAmount(result.payment_amount, result.payment_currency);
  switch (result.status) {
    case 'success': {
      const rest = result.payment_link_status === 'partially_paid';
      finished = !rest;
      // The summary shows the link after this payment.
      $('paid').textContent = formatAmount(result.amount_paid, link.currency);
      $('remaining').textContent = formatAmount(result.amount_remaining, link.currency);
      const text = rest
        ? `You paid ${charged} to ${link.merchant_name}. ${formatAmount(result.amount_remaining, link.currency)} remains to be paid.`
        : `You paid ${charged} to ${link.merchant_name}. This payment link is paid.`;
      showResult(rest ? 'Part paid' : 'Payment successful', text, { paymentId: result.payment_id, state: 'success' });
      $('result-continue').hidden = !rest || Boolean(REDIRECT_URL);
      report('payment.success', result, true);
      break;
    }
    case 'failed':
      showResult('Payment failed', result.error_message || 'Your payment could not be completed.', {
        paymentId: result.payment_id, retry: true, state: 'failed',
      });
      report('payment.failure', result, false);
      break;
    case 'action_required':
      // The money arrived but is held for review; the SDKs know this as a pending payment (notes-payins §7.3).
      finished = true;
      showResult('Payment under review', `Your payment of ${charged} was received and is being reviewed.`, {
        paymentId: result.payment_id, state: 'pending',
      });
      report('payment.pending', result, true);
      break;
    default:
      showError(null, 'Unexpected answer from the server.');
  }
}

/** One payment by any method: 'done' (shown and reported), 'otp_required' or 'error' (shown in errorElement). */
async function pay(body, errorElement, button) {
  const part = currentPart();
  if (part === null) return 'error';
  const { outcome, payment } = await postPayment(api, linkPath('/payments'), part === undefined ? body : { ...body, amount: part }, errorElement, button);
  if (outcome === 'done') finishPayment(payment);
  return outcome;
}

// ---------------------------------------------------------------- card

async function payByCard(body) {
  const outcome = await pay({ method: 'card', ...body }, $('card-error'), $('card-submit'));
  if (outcome === 'done') cardForm.reset();
  return outcome;
}

// ---------------------------------------------------------------- bank transfer

let bankDetailsFor = null;

/** The account details for the part entered (or the rest), loaded again when the part changes. */
async function loadBankDetails() {
  const part = currentPart();
  if (part === null) return;
  const key = String(part);
  if (bankDetailsFor === key) return;
  bankDetailsFor = key;
  $('bt-details').hidden = true;
  $('bt-loading').hidden = false;
  clearError($('bt-error'));
  const answer = await api('GET', linkPath(`/bank_transfer_details${part === undefined ? '' : `?amount=${part}`}`));
  if (!showBankTransferDetails(answer)) bankDetailsFor = null;
}

// ---------------------------------------------------------------- pay via bank

function startPayViaBank() {
  if (currentPart() === null) return;
  $('pvb-start').hidden = true;
  $('pvb-consent-text').textContent = `Glomo Sandbox Bank asks you to approve a payment of ${payAmountText()} to ${link.merchant_name}.`;
  $('pvb-consent').hidden = false;
}

function cancelPayViaBank() {
  showResult('Payment cancelled', 'You cancelled the payment at your bank. Nothing was paid.', { state: 'cancelled', retry: true });
  report('payment.cancelled', { status: 'cancelled' }, false);
}

// ---------------------------------------------------------------- the page

let selected = null;

function selectMethod(method) {
  selected = method;
  selectMethodTab(method);
  if (method === 'bank_transfer') void loadBankDetails();
}

/** Why a link that is not payable shows no way to pay. */
function closedText(l) {
  const paid = l.amount_paid > 0 && l.status !== 'paid'
    ? ` ${formatAmount(l.amount_paid, l.currency)} of ${formatAmount(l.amount, l.currency)} was paid.` : '';
  switch (l.status) {
    case 'paid': return 'This payment link has been paid.';
    case 'cancelled': return 'This payment link was cancelled.';
    case 'failed': return 'This payment link can no longer be paid.';
    case 'action_required':
    case 'under_review': return 'This payment link is being reviewed and cannot be paid yet. Please try again later.';
    case 'expired':
    default: return `This payment link has expired.${paid} Ask the merchant for a new one.`;
  }
}

function setText(id, text) {
  $(id).textContent = text || '';
  $(id).hidden = !text;
}

function renderLink() {
  const l = link;
  $('merchant-name').textContent = l.merchant_name;
  $('amount').textContent = formatAmount(l.status === 'paid' || !l.payable ? l.amount : l.amount_due, l.currency);
  setText('description', l.description);
  setText('invoice', l.invoice_number ? `Invoice ${l.invoice_number}` : '');
  setText('product', l.product && l.product.name ? (l.product.description ? `${l.product.name}: ${l.product.description}` : l.product.name) : '');
  // A link paid in parts shows its progress.
  $('progress').hidden = !(l.allow_partial_payments || l.amount_paid > 0) || l.status === 'paid';
  $('total').textContent = formatAmount(l.amount, l.currency);
  $('paid').textContent = formatAmount(l.amount_paid, l.currency);
  $('remaining').textContent = formatAmount(l.amount_remaining, l.currency);
  $('summary').hidden = false;
  document.title = `Pay ${l.merchant_name}`;
  root.dataset.status = l.status;
  if (!l.payable) {
    showError(null, closedText(l));
    root.dataset.state = 'closed';
    return;
  }
  const allowed = PAYIN_METHODS.filter((method) => l.payment_methods.includes(method));
  for (const method of allowed) $(`tab-${method}`).hidden = false;
  $('method-tabs').hidden = allowed.length < 2;
  if (l.allow_partial_payments) {
    $('part-amount').value = decimalOf(l.amount_remaining, l.currency);
    $('part-hint').textContent = `(up to ${formatAmount(l.amount_remaining, l.currency)})`;
    $('part').hidden = false;
  }
  $('card-submit').textContent = payLabel();
  $('methods').hidden = false;
  bankDetailsFor = null;
  selectMethod(selected && allowed.includes(selected) ? selected : allowed[0]);
  root.dataset.state = 'ready';
}

async function start() {
  link = await loadPageObject(root, api, linkPath(), { notFound: 'This payment link was not found.', failed: 'The payment link could not be loaded.' });
  if (link) renderLink();
}

for (const method of PAYIN_METHODS) $(`tab-${method}`).addEventListener('click', () => selectMethod(method));
$('part-amount').addEventListener('input', () => {
  $('card-submit').textContent = payLabel();
});
$('part-amount').addEventListener('change', () => {
  if (currentPart() !== null && selected === 'bank_transfer') void loadBankDetails();
});
$('bt-submit').addEventListener('click', () => void pay({ method: 'bank_transfer' }, $('bt-error'), $('bt-submit')));
$('pvb-start').addEventListener('click', startPayViaBank);
$('pvb-approve').addEventListener('click', () => void pay({ method: 'pay_via_bank' }, $('pvb-error'), $('pvb-approve')));
$('pvb-cancel').addEventListener('click', cancelPayViaBank);
$('result-retry').addEventListener('click', () => {
  if (finished) return;
  $('result').hidden = true;
  $('methods').hidden = false;
  $('part').hidden = !link.allow_partial_payments;
  $('pvb-start').hidden = false;
  $('pvb-consent').hidden = true;
  root.dataset.state = 'ready';
});
// After a part: the link is read again (what remains) and the page offers the rest.
$('result-continue').addEventListener('click', () => {
  $('result').hidden = true;
  $('result-continue').hidden = true;
  $('pvb-start').hidden = false;
  $('pvb-consent').hidden = true;
  $('loading').hidden = false;
  void start();
});
// The card form's listeners and its test cards (card-form.js); the link is loaded after.
const cardForm = setUpCardForm({ sandbox: SANDBOX, send: payByCard, submitLabel: payLabel });
void start();
