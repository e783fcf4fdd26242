// The hosted checkout page's script (plain browser JavaScript, no build step, served by this server only).
// It reads the order with the publishable key, lets the customer pay by one of the order's methods through
// POST /api/public/v1/order/{id}/payments, and reports the signed result to the embedding site (postMessage to the
// parent frame or the opener) or, when the page was given a redirect_url, by navigating there instead.
// The card number and CVV stay in the form fields and go only into that one POST body: never into a URL, storage,
// the console or the DOM's attributes.
/* global window, document, fetch, navigator, URL */

const root = document.getElementById('checkout');
const ORDER_ID = root.dataset.orderId;
const PUBLIC_KEY = root.dataset.publicKey;
const REDIRECT_URL = root.dataset.redirectUrl || '';
const SANDBOX = root.dataset.mode === 'sandbox';
const METHODS = ['card', 'bank_transfer', 'pay_via_bank'];

// notes-payins §7.5: the number decides the network, the OTP challenge and the outcome. Most fail the Luhn check as
// published, so they are let through the page's Luhn check; the server decides.
const TEST_CARDS = [
  ['4532 4911 1111 1111', 'Visa', false, 'Success'],
  ['4532 4422 2222 2222', 'Visa', true, 'Success'],
  ['4556 8911 1111 1112', 'Visa', false, 'Failure'],
  ['4597 2622 2222 2223', 'Visa', true, 'Failure'],
  ['4916 5311 1111 1111', 'Mastercard', false, 'Success'],
  ['4376 7022 2222 2222', 'Mastercard', true, 'Success'],
  ['4532 2711 1111 1112', 'Mastercard', false, 'Failure'],
  ['4556 8222 2222 2223', 'Mastercard', true, 'Failure'],
  ['3466 2411 1111 1111', 'Amex', false, 'Success'],
  ['3469 1222 2222 2222', 'Amex', true, 'Success'],
  ['3490 8811 1111 1112', 'Amex', false, 'Failure'],
  ['3790 8022 2222 2223', 'Amex', true, 'Failure'],
];
const TEST_CARD_NETWORK = new Map(TEST_CARDS.map(([number, network]) => [number.replace(/ /g, ''), network]));

const $ = (id) => document.getElementById(id);
let order = null;
let finished = false;

// ---------------------------------------------------------------- the API

async function api(method, path, body) {
  const headers = { authorization: `Bearer ${PUBLIC_KEY}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    return { status: 0, body: { message: 'The connection failed. Check your network and try again.' } };
  }
  let json;
  try {
    json = await response.json();
  } catch {
    json = {};
  }
  return { status: response.status, body: json };
}

const orderPath = (suffix = '') => `/api/public/v1/order/${encodeURIComponent(ORDER_ID)}${suffix}`;

// ---------------------------------------------------------------- money

/** Minor units as the currency's major units, formatted without floating point (Intl takes a decimal string). */
function formatAmount(minor, currency) {
  let format;
  try {
    format = new Intl.NumberFormat(navigator.language || 'en', { style: 'currency', currency });
  } catch {
    return `${minor} ${currency}`;
  }
  const digits = format.resolvedOptions().maximumFractionDigits;
  const negative = minor < 0;
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const decimal = digits > 0 ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  return format.format(`${negative ? '-' : ''}${decimal}`);
}

// ---------------------------------------------------------------- reporting the result

function sendMessage(message) {
  // The merchant's page is whatever embeds or opened us; its origin is not known to the order, and the message
  // carries nothing secret (the merchant verifies the signature server-side), hence the target origin '*'.
  const framed = window.parent && window.parent !== window;
  const target = framed ? window.parent : window.opener;
  if (target) target.postMessage(message, '*');
}

/** Reports one terminal result: redirect when asked to (then no message, notes-payins §7.1), else postMessage. */
function report(type, result) {
  const message = { type, order_id: ORDER_ID, status: result.status };
  for (const key of ['payment_id', 'signature', 'error_code', 'error_message']) {
    if (result[key] !== undefined && result[key] !== null) message[key] = result[key];
  }
  if (REDIRECT_URL) {
    const target = new URL(REDIRECT_URL);
    if (target.protocol === 'http:' || target.protocol === 'https:') {
      for (const key of ['order_id', 'payment_id', 'status', 'signature']) {
        if (message[key] !== undefined) target.searchParams.set(key, message[key]);
      }
      window.location.assign(target.toString());
      return;
    }
  }
  sendMessage(message);
}

function showResult(title, text, options = {}) {
  $('methods').hidden = true;
  $('result').hidden = false;
  $('result-title').textContent = title;
  $('result-text').textContent = text;
  $('result-reference').textContent = options.paymentId ? `Payment reference: ${options.paymentId}` : '';
  $('result-retry').hidden = !options.retry || Boolean(REDIRECT_URL);
  root.dataset.state = options.state || 'done';
}

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

function showError(element, message) {
  const target = element || $('page-error');
  target.textContent = message;
  target.hidden = false;
}

function clearError(element) {
  element.textContent = '';
  element.hidden = true;
}

async function pay(body, errorElement, button) {
  clearError(errorElement);
  button.disabled = true;
  try {
    const { status, body: answer } = await api('POST', orderPath('/payments'), body);
    if (status === 201) {
      finishPayment(answer);
      return 'done';
    }
    if (status === 200 && answer.status === 'otp_required') return 'otp_required';
    showError(errorElement, answer.message || 'The payment could not be made.');
    return 'error';
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- card

function cardDigits() {
  return $('card-number').value.replace(/[\s-]/g, '');
}

function luhnValid(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The page's own checks (the server checks again): an error message, or the parsed card. */
function readCard() {
  const digits = cardDigits();
  if (!/^\d{12,19}$/.test(digits)) return { error: 'Enter the card number (12 to 19 digits).' };
  const network = TEST_CARD_NETWORK.get(digits);
  if (!network && !luhnValid(digits)) return { error: 'This card number is not valid. Check it and try again.' };
  if (SANDBOX && !network) return { error: 'In the sandbox, use one of the test cards listed below.' };
  const expiry = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec($('card-expiry').value);
  if (!expiry) return { error: 'Enter the expiry as MM/YY.' };
  const month = Number(expiry[1]);
  let year = Number(expiry[2]);
  if (year < 100) year += 2000;
  if (month < 1 || month > 12) return { error: 'The expiry month must be between 01 and 12.' };
  const now = new Date();
  if (year * 12 + month - 1 < now.getFullYear() * 12 + now.getMonth()) return { error: 'This card has expired.' };
  const cvv = $('card-cvv').value.trim();
  const cvvLength = network === 'Amex' || /^3[47]/.test(digits) ? 4 : 3;
  if (!new RegExp(`^\\d{${cvvLength}}$`).test(cvv)) return { error: `Enter the ${cvvLength}-digit CVV.` };
  const holder = $('card-name').value.trim();
  return {
    card: { number: digits, exp_month: month, exp_year: year, cvv, ...(holder ? { holder_name: holder } : {}) },
  };
}

function resetCardForm() {
  for (const id of ['card-number', 'card-expiry', 'card-cvv', 'card-otp']) $(id).value = '';
  $('otp-step').hidden = true;
  clearError($('card-error'));
}

async function submitCard(event) {
  event.preventDefault();
  const errorElement = $('card-error');
  const read = readCard();
  if (read.error) {
    showError(errorElement, read.error);
    return;
  }
  const otpStep = !$('otp-step').hidden;
  const otp = $('card-otp').value.trim();
  if (otpStep && !otp) {
    showError(errorElement, 'Enter the one-time password.');
    return;
  }
  const outcome = await pay({ method: 'card', card: read.card, ...(otpStep ? { otp } : {}) }, errorElement, $('card-submit'));
  if (outcome === 'otp_required') {
    $('otp-step').hidden = false;
    $('card-submit').textContent = 'Confirm';
    $('card-otp').focus();
  } else if (outcome === 'done') {
    resetCardForm();
    $('card-submit').textContent = `Pay ${formatAmount(order.amount_due, order.currency)}`;
  }
}

function fillTestCard(number, network) {
  resetCardForm();
  $('card-number').value = number;
  const year = (new Date().getFullYear() + 3) % 100;
  $('card-expiry').value = `12/${String(year).padStart(2, '0')}`;
  $('card-cvv').value = network === 'Amex' ? '1234' : '123';
  $('card-number').focus();
}

function renderTestCards() {
  const body = $('test-card-rows');
  for (const [number, network, otp, result] of TEST_CARDS) {
    const row = document.createElement('tr');
    const cell = document.createElement('td');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link';
    button.textContent = number;
    button.addEventListener('click', () => fillTestCard(number, network));
    cell.append(button);
    row.append(cell);
    for (const text of [network, otp ? 'Yes' : 'No', result]) {
      const td = document.createElement('td');
      td.textContent = text;
      row.append(td);
    }
    body.append(row);
  }
}

/** Groups of four digits as the customer types (Amex 4-6-5). */
function formatCardNumberInput() {
  const input = $('card-number');
  const digits = input.value.replace(/\D/g, '').slice(0, 19);
  const groups = /^3[47]/.test(digits) ? [4, 6, 5] : [4, 4, 4, 4, 3];
  const parts = [];
  let at = 0;
  for (const size of groups) {
    if (at >= digits.length) break;
    parts.push(digits.slice(at, at + size));
    at += size;
  }
  input.value = parts.join(' ');
}

// ---------------------------------------------------------------- bank transfer

let bankDetailsLoaded = false;

async function loadBankDetails() {
  if (bankDetailsLoaded) return;
  bankDetailsLoaded = true;
  const { status, body } = await api('GET', orderPath('/bank_transfer_details'));
  $('bt-loading').hidden = true;
  if (status !== 200) {
    bankDetailsLoaded = false;
    showError($('bt-error'), body.message || 'The account details could not be loaded.');
    $('bt-details').hidden = false;
    $('bt-submit').disabled = true;
    return;
  }
  $('bt-amount').textContent = formatAmount(body.amount, body.currency);
  $('bt-account-name').textContent = body.account_name;
  $('bt-bank-name').textContent = body.bank_name;
  $('bt-account-number').textContent = body.account_number;
  // An IBAN where the account's country uses them; a domestic code (routing number, sort code) for a local account.
  $('bt-iban-label').hidden = $('bt-iban').hidden = !body.iban;
  $('bt-iban').textContent = body.iban || '';
  const local = body.routing_number ? ['Routing number', body.routing_number]
    : body.sort_code ? ['Sort code', body.sort_code]
      : body.bank_code ? ['Bank code', body.bank_code] : null;
  $('bt-local-label').hidden = $('bt-local-code').hidden = !local;
  $('bt-local-label').textContent = local ? local[0] : '';
  $('bt-local-code').textContent = local ? local[1] : '';
  $('bt-swift').textContent = body.swift_code;
  $('bt-reference').textContent = body.reference;
  $('bt-submit').disabled = false;
  $('bt-details').hidden = false;
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
  for (const other of METHODS) {
    const tab = $(`tab-${other}`);
    tab.setAttribute('aria-selected', String(other === method));
    tab.tabIndex = other === method ? 0 : -1;
    $(`panel-${other}`).hidden = other !== method;
  }
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
  const allowed = METHODS.filter((method) => order.payment_methods.includes(method));
  if (allowed.length === 0) {
    showError(null, 'This order offers no way to pay.');
    return;
  }
  for (const method of allowed) $(`tab-${method}`).hidden = false;
  $('method-tabs').hidden = allowed.length < 2;
  $('card-submit').textContent = `Pay ${formatAmount(order.amount_due, order.currency)}`;
  $('methods').hidden = false;
  selectMethod(allowed[0]);
  root.dataset.state = 'ready';
}

async function start() {
  const { status, body } = await api('GET', orderPath());
  $('loading').hidden = true;
  if (status !== 200) {
    showError(null, status === 404 ? 'This order was not found.' : body.message || 'The order could not be loaded.');
    root.dataset.state = 'error';
    return;
  }
  order = body;
  renderOrder();
}

for (const method of METHODS) $(`tab-${method}`).addEventListener('click', () => selectMethod(method));
$('card-form').addEventListener('submit', (event) => void submitCard(event));
$('card-number').addEventListener('input', formatCardNumberInput);
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
renderTestCards();
void start();
