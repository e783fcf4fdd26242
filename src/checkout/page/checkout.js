// The hosted checkout page's script (plain browser JavaScript, no build step, served by this server only).
// It reads the order with the publishable key, lets the customer pay by one of the order's methods through
// POST /api/public/v1/order/{id}/payments, and reports the signed result to the embedding site (postMessage to the
// parent frame or the opener) or, when the page was given a redirect_url, by navigating there instead.
// The card form, the requests, the result panel and the report are card-form.js's (loaded before this script).
// The card number and CVV stay in the form fields and go only into that one POST body: never into a URL, storage,
// the console or the DOM's attributes.
/* global window, document */

const {
  $, requestJson, formatAmount, showError, reportResult, loadPageObject, postPayment, setUpCardForm,
  PAYIN_METHODS, selectMethodTab, showBankTransferDetails,
} = window.glomoCardForm;

const root = document.getElementById('checkout');
const ORDER_ID = root.dataset.orderId;
const PUBLIC_KEY = root.dataset.publicKey;
const REDIRECT_URL = root.dataset.redirectUrl || '';
const SANDBOX = root.dataset.mode === 'sandbox';

let order = null;
let finished = false;

// ---------------------------------------------------------------- the API

const api = (method, path, body) => requestJson(method, path, body, { authorization: `Bearer ${PUBLIC_KEY}` });

const orderPath = (suffix = '') => `/api/public/v1/order/${encodeURIComponent(ORDER_ID)}${suffix}`;

// ---------------------------------------------------------------- reporting the result

/** Reports one terminal result: redirect when asked to (then no message, notes-payins §7.1), else postMessage. */
const report = (type, result) => reportResult(type, ['order_id', ORDER_ID], result, REDIRECT_URL);

/** The result panel; with a redirect_url there is no retry (the result has navigated away). */
const showResult = (title, text, options = {}) =>
  window.glomoCardForm.showResult(root, ['methods'], title, text, { ...options, retry: options.retry && !REDIRECT_URL });

/** A 201 answer of the payment step, shown and reported. */
function finishPayment(result) {
  const amount = formatAmount(order.amount_due, order.currency);
  switch (result.status) {
    case 'success':
      finished = true;
      showResult('Payment successful', `You paid ${amount} to ${order.merchant_name}.`, { paymentId: result.payment_id, state: 'success' });
      report('payment.success', result);
      break;
    case 'failed':
      showResult('Payment failed', result.error_message || 'Your payment could not be completed.', {
        paymentId: result.payment_id, retry: true, state: 'failed',
      });
      report('payment.failure', result);
      break;
    case 'action_required':
      // The money arrived but is held for review; the SDKs know this as a pending payment (notes-payins §7.3).
      finished = true;
      showResult('Payment under review', `Your payment of ${amount} was received and is being reviewed.`, {
        paymentId: result.payment_id, state: 'pending',
      });
      report('payment.pending', result);
      break;
    default:
      showError(null, 'Unexpected answer from the server.');
  }
}

/** One payment by any method: 'done' (shown and reported), 'otp_required' or 'error' (shown in errorElement). */
async function pay(body, errorElement, button) {
  const { outcome, payment } = await postPayment(api, orderPath('/payments'), body, errorElement, button);
  if (outcome === 'done') finishPayment(payment);
  return outcome;
}

// ---------------------------------------------------------------- card

const payLabel = () => `Pay ${formatAmount(order.amount_due, order.currency)}`;

async function payByCard(body) {
  const outcome = await pay({ method: 'card', ...body }, $('card-error'), $('card-submit'));
  if (outcome === 'done') {
    cardForm.reset();
    $('card-submit').textContent = payLabel();
  }
  return outcome;
}

// ---------------------------------------------------------------- bank transfer

let bankDetailsLoaded = false;

async function loadBankDetails() {
  if (bankDetailsLoaded) return;
  bankDetailsLoaded = true;
  bankDetailsLoaded = showBankTransferDetails(await api('GET', orderPath('/bank_transfer_details')));
}

// ---------------------------------------------------------------- pay via bank

function startPayViaBank() {
  $('pvb-start').hidden = true;
  $('pvb-consent-text').textContent =
    `Glomo Sandbox Bank asks you to approve a payment of ${formatAmount(order.amount_due, order.currency)} to ${order.merchant_name}.`;
  $('pvb-consent').hidden = false;
}

function cancelPayViaBank() {
  finished = true;
  showResult('Payment cancelled', 'You cancelled the payment at your bank. Nothing was paid.', { state: 'cancelled' });
  report('payment.cancelled', { status: 'cancelled' });
}

// ---------------------------------------------------------------- the page

function selectMethod(method) {
  selectMethodTab(method);
  if (method === 'bank_transfer') void loadBankDetails();
}

const STATUS_TEXT = {
  paid: 'This order has been paid.',
  expired: 'This order has expired.',
  cancelled: 'This order was cancelled.',
  failed: 'This order can no longer be paid.',
  action_required: 'This order needs documents before it can be paid.',
  under_review: 'This order is being reviewed.',
};

function renderOrder() {
  $('merchant-name').textContent = order.merchant_name;
  $('amount').textContent = formatAmount(order.amount_due, order.currency);
  if (order.description) {
    $('description').textContent = order.description;
    $('description').hidden = false;
  }
  if (order.product && order.product.name) {
    $('product').textContent = order.product.description ? `${order.product.name}: ${order.product.description}` : order.product.name;
    $('product').hidden = false;
  }
  $('summary').hidden = false;
  document.title = `Pay ${order.merchant_name}`;
  if (order.status !== 'active') {
    showError(null, STATUS_TEXT[order.status] || 'This order cannot be paid.');
    root.dataset.state = 'closed';
    return;
  }
  const allowed = PAYIN_METHODS.filter((method) => order.payment_methods.includes(method));
  if (allowed.length === 0) {
    showError(null, 'This order offers no way to pay.');
    return;
  }
  for (const method of allowed) $(`tab-${method}`).hidden = false;
  $('method-tabs').hidden = allowed.length < 2;
  $('card-submit').textContent = payLabel();
  $('methods').hidden = false;
  selectMethod(allowed[0]);
  root.dataset.state = 'ready';
}

async function start() {
  order = await loadPageObject(root, api, orderPath(), { notFound: 'This order was not found.', failed: 'The order could not be loaded.' });
  if (order) renderOrder();
}

for (const method of PAYIN_METHODS) $(`tab-${method}`).addEventListener('click', () => selectMethod(method));
$('bt-submit').addEventListener('click', () => void pay({ method: 'bank_transfer' }, $('bt-error'), $('bt-submit')));
$('pvb-start').addEventListener('click', startPayViaBank);
$('pvb-approve').addEventListener('click', () => void pay({ method: 'pay_via_bank' }, $('pvb-error'), $('pvb-approve')));
$('pvb-cancel').addEventListener('click', cancelPayViaBank);
$('result-retry').addEventListener('click', () => {
  if (finished) return;
  $('result').hidden = true;
  $('methods').hidden = false;
  $('pvb-start').hidden = false;
  $('pvb-consent').hidden = true;
  root.dataset.state = 'ready';
});
// The card form's listeners and its test cards (card-form.js); the order is loaded after.
const cardForm = setUpCardForm({ sandbox: SANDBOX, send: payByCard });
void start();
