// The hosted subscription page's script (plain browser JavaScript, no build step, served by this server only).
// It reads the subscription through GET /api/public/v1/subscription/{id} (no key: the link is the subscription's id),
// shows the plan, and takes the first instalment by card through POST /api/public/v1/subscription/{id}/payments, with
// the one-time password step of the cards that ask for one, as the order checkout's card step does (checkout.js).
// A success (or a card authorised for a future start) is reported to the embedding site: by navigating to the
// page's redirect_url with the signed result, or else by postMessage to the parent frame or the opener. A declined
// card is shown and reported, and the customer may try again. The card number and CVV stay in the form fields and go
// only into that one POST body: never into a URL, storage, the console or the DOM's attributes.
/* global window, document, fetch, navigator, URL */

const root = document.getElementById('subscription');
const SUBSCRIPTION_ID = root.dataset.subscriptionId;
const REDIRECT_URL = root.dataset.redirectUrl || '';
const SANDBOX = root.dataset.mode === 'sandbox';

// notes-payins §7.5 (the checkout's list): the number decides the network, the OTP challenge and the outcome. Most
// fail the Luhn check as published, so they are let through the page's Luhn check; the server decides.
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
let subscription = null;

// ---------------------------------------------------------------- the API

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
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

const subscriptionPath = (suffix = '') => `/api/public/v1/subscription/${encodeURIComponent(SUBSCRIPTION_ID)}${suffix}`;

// ---------------------------------------------------------------- money and dates

/** Minor units as the currency's major units, formatted without floating point (Intl takes a decimal string). */
function formatAmount(minor, currency) {
  let format;
  try {
    format = new Intl.NumberFormat(navigator.language || 'en', { style: 'currency', currency });
  } catch {
    return `${minor} ${currency}`;
  }
  const digits = format.resolvedOptions().maximumFractionDigits;
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const decimal = digits > 0 ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  return format.format(`${minor < 0 ? '-' : ''}${decimal}`);
}

/** A contract date (`YYYY-MM-DD`, UTC) in the customer's language, as that calendar day. */
function formatDate(date) {
  try {
    return new Intl.DateTimeFormat(navigator.language || 'en', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
  } catch {
    return date;
  }
}

function intervalText(s) {
  if (s.interval_type === 'as_presented') {
    return s.max_amount === undefined ? 'Charged as presented' : `Charged as presented, up to ${formatAmount(s.max_amount, s.currency)}`;
  }
  if (s.interval_type === 'year') return s.interval_count === 1 ? 'Yearly' : `Every ${s.interval_count} years`;
  return s.interval_count === 1 ? 'Monthly' : `Every ${s.interval_count} months`;
}

/** What the customer pays for one instalment (a fee the merchant passes on included). */
const amountText = (s) => formatAmount(s.amount_due, s.currency);

// ---------------------------------------------------------------- reporting the result

function sendMessage(message) {
  // The merchant's page is whatever embeds or opened us; its origin is not known to the subscription, and the message
  // carries nothing secret (the merchant verifies the signature server-side), hence the target origin '*'.
  const framed = window.parent && window.parent !== window;
  const target = framed ? window.parent : window.opener;
  if (target) target.postMessage(message, '*');
}

/** Reports a result: a final one navigates to redirect_url when the page has one (then no message), else postMessage. */
function report(type, result, final) {
  const message = { type, subscription_id: SUBSCRIPTION_ID, status: result.status };
  for (const key of ['payment_id', 'signature', 'error_code', 'error_message']) {
    if (result[key] !== undefined && result[key] !== null) message[key] = result[key];
  }
  if (final && REDIRECT_URL) {
    const target = new URL(REDIRECT_URL);
    if (target.protocol === 'http:' || target.protocol === 'https:') {
      for (const key of ['subscription_id', 'payment_id', 'status', 'signature']) {
        if (message[key] !== undefined) target.searchParams.set(key, message[key]);
      }
      window.location.assign(target.toString());
      return;
    }
  }
  sendMessage(message);
}

function showResult(title, text, options = {}) {
  $('pay').hidden = true;
  $('first-payment').hidden = true;
  $('result').hidden = false;
  $('result-title').textContent = title;
  $('result-text').textContent = text;
  $('result-reference').textContent = options.paymentId ? `Payment reference: ${options.paymentId}` : '';
  $('result-retry').hidden = !options.retry;
  root.dataset.state = options.state || 'done';
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

/** A 201 answer of the payment step, shown and reported. */
async function finishPayment(result) {
  switch (result.status) {
    case 'success': {
      let text = `You paid ${amountText(subscription)} to ${subscription.merchant_name}. Your subscription is active.`;
      // The schedule now runs from this payment: its next date is read again.
      const fresh = await api('GET', subscriptionPath());
      if (fresh.status === 200 && fresh.body.next_payment_date) text += ` Next payment: ${formatDate(fresh.body.next_payment_date)}.`;
      showResult('Subscription active', text, { paymentId: result.payment_id, state: 'success' });
      report('payment.success', result, true);
      break;
    }
    case 'authorized':
      showResult('Card authorised', `Nothing was charged today. Your first payment of ${amountText(subscription)} will be charged on ${
        formatDate(subscription.start_date)}.`, { state: 'authorized' });
      report('subscription.authorized', result, true);
      break;
    case 'failed':
      showResult('Payment failed', result.error_message || 'Your payment could not be completed.', {
        paymentId: result.payment_id, retry: true, state: 'failed',
      });
      report('payment.failure', result, false);
      break;
    default:
      showError(null, 'Unexpected answer from the server.');
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

function payLabel() {
  return subscription.charges_now ? `Pay ${amountText(subscription)}` : 'Authorise card';
}

function resetCardForm() {
  for (const id of ['card-number', 'card-expiry', 'card-cvv', 'card-otp']) $(id).value = '';
  $('otp-step').hidden = true;
  $('card-submit').textContent = payLabel();
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
  clearError(errorElement);
  const button = $('card-submit');
  button.disabled = true;
  let answer;
  try {
    answer = await api('POST', subscriptionPath('/payments'), { card: read.card, ...(otpStep ? { otp } : {}) });
  } finally {
    button.disabled = false;
  }
  if (answer.status === 200 && answer.body.status === 'otp_required') {
    $('otp-step').hidden = false;
    button.textContent = 'Confirm';
    $('card-otp').focus();
    return;
  }
  if (answer.status === 201) {
    resetCardForm();
    await finishPayment(answer.body);
    return;
  }
  showError(errorElement, answer.body.message || 'The payment could not be made.');
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

// ---------------------------------------------------------------- the page

/** Why a subscription that is not payable shows no form. */
function closedText(s) {
  switch (s.status) {
    case 'active': return 'This subscription is already active: its first payment has been made.';
    case 'authorized': return `This subscription's card is already authorised; the first payment is charged on ${formatDate(s.start_date)}.`;
    case 'created':
    case 'expired': return 'This subscription link has expired. Ask the merchant for a new one.';
    case 'cancelled': return 'This subscription was cancelled.';
    case 'completed': return 'This subscription has ended: every payment has been made.';
    case 'paused': return 'This subscription is paused.';
    case 'halted': return 'This subscription is halted after failed payments.';
    default: return 'This subscription can no longer be paid here.';
  }
}

function setTerm(id, value) {
  const dd = $(id);
  const dt = dd.previousElementSibling;
  dd.textContent = value || '';
  dd.hidden = !value;
  dt.hidden = !value;
}

function renderSubscription() {
  const s = subscription;
  $('merchant-name').textContent = s.merchant_name;
  $('product').textContent = s.product_name;
  $('product-description').textContent = s.product_description;
  if (s.plan_name) {
    $('plan').textContent = s.plan_description ? `${s.plan_name}: ${s.plan_description}` : s.plan_name;
    $('plan').hidden = false;
  }
  $('amount').textContent = amountText(s);
  $('interval').textContent = intervalText(s);
  setTerm('cycles', s.billing_cycles === undefined ? '' : String(s.billing_cycles));
  setTerm('start-date', s.start_date ? formatDate(s.start_date) : '');
  setTerm('end-date', s.end_date ? formatDate(s.end_date) : '');
  $('first-payment').textContent = s.charges_now
    ? `Paying now charges the first payment of ${amountText(s)}.`
    : `Nothing is charged today: your card is saved and first charged ${amountText(s)} on ${formatDate(s.start_date)}.`;
  $('first-payment').hidden = !s.payable;
  $('summary').hidden = false;
  document.title = `${s.product_name}: ${s.merchant_name}`;
  root.dataset.status = s.status;
  if (!s.payable) {
    showError(null, closedText(s));
    root.dataset.state = 'closed';
    return;
  }
  $('card-submit').textContent = payLabel();
  $('pay').hidden = false;
  root.dataset.state = 'ready';
}

async function start() {
  const { status, body } = await api('GET', subscriptionPath());
  $('loading').hidden = true;
  if (status !== 200) {
    showError(null, status === 404 ? 'This subscription was not found.' : body.message || 'The subscription could not be loaded.');
    root.dataset.state = 'error';
    return;
  }
  subscription = body;
  renderSubscription();
}

$('card-form').addEventListener('submit', (event) => void submitCard(event));
$('card-number').addEventListener('input', formatCardNumberInput);
$('result-retry').addEventListener('click', () => {
  $('result').hidden = true;
  $('pay').hidden = false;
  $('first-payment').hidden = false;
  root.dataset.state = 'ready';
  $('card-number').focus();
});
renderTestCards();
void start();
