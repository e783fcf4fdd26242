// What the hosted pages with a card form share (the order checkout's checkout.js, the payment link page's
// payment-link.js, the subscription page's subscription.js): plain browser JavaScript, no build step, loaded by both pages before their own script. It defines
// window.glomoCardForm and touches the page only when a page's script calls it: the public API's JSON requests, amounts,
// the errors and the result shown, the signed result reported to the merchant's site (redirect or postMessage), the
// payment POST, the first load, and the card step (number formatting, the page's checks, the one-time password prompt,
// the sandbox test cards), and the two payin pages' methods (the tabs, the bank transfer details). The pages use the same element ids for these (#card-form, #card-number, #otp-step, #result…).
// One listener of its own: in a frame, Escape asks the embedding SDK to close the page (sdk/index.js).
// The card number and CVV stay in the form fields and go only into the page's one POST body: never into a URL,
// storage, the console or the DOM's attributes.
/* global window, document, fetch, navigator, URL */

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

// ---------------------------------------------------------------- the API

/** One JSON request to this server (`headers` adds to the defaults, e.g. the checkout's publishable key). */
async function requestJson(method, path, body, headers = {}) {
  const allHeaders = { ...headers, accept: 'application/json' };
  if (body !== undefined) allHeaders['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: allHeaders,
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

// ---------------------------------------------------------------- errors and results

function showError(element, message) {
  const target = element || $('page-error');
  target.textContent = message;
  target.hidden = false;
}

function clearError(element) {
  element.textContent = '';
  element.hidden = true;
}

/** The result panel in place of the page's sections `hiddenIds`; `options.retry` shows its retry button. */
function showResult(root, hiddenIds, title, text, options = {}) {
  for (const id of hiddenIds) $(id).hidden = true;
  $('result').hidden = false;
  $('result-title').textContent = title;
  $('result-text').textContent = text;
  $('result-reference').textContent = options.paymentId ? `Payment reference: ${options.paymentId}` : '';
  $('result-retry').hidden = !options.retry;
  root.dataset.state = options.state || 'done';
}

function sendMessage(message) {
  // The merchant's page is whatever embeds or opened us; its origin is not known to the order or subscription, and the
  // message carries nothing secret (the merchant verifies the signature server-side), hence the target origin '*'.
  const framed = window.parent && window.parent !== window;
  const target = framed ? window.parent : window.opener;
  if (target) {
    target.postMessage(message, '*');
    return;
  }
  // Neither framed nor opened: Glomo's mobile SDKs load the page at the top of a WebView and inject a listener for
  // this window's own messages, which forwards them to the app (their GlomoPayBridge, decision 0038). They read the
  // page's id from order_id (a subscription's id is passed in orderId too), so a subscription's result carries both.
  const own = message.subscription_id && !message.order_id ? { ...message, order_id: message.subscription_id } : message;
  window.postMessage(own, window.location.origin);
}

// Escape inside a framed page asks the embedding SDK to close it (the key press never reaches the merchant's page).
if (window.parent && window.parent !== window) {
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') window.parent.postMessage({ type: 'checkout.close_requested' }, '*');
  });
}

/**
 * Reports a result to the merchant's site: by navigating to `redirectUrl` when one is given (then no message,
 * notes-payins §7.1), else by postMessage. `[idKey, id]` names the page's object (`['order_id', …]`).
 */
function reportResult(type, [idKey, id], result, redirectUrl) {
  const message = { type, [idKey]: id, status: result.status };
  for (const key of ['payment_id', 'signature', 'error_code', 'error_message']) {
    if (result[key] !== undefined && result[key] !== null) message[key] = result[key];
  }
  if (redirectUrl) {
    const target = new URL(redirectUrl);
    if (target.protocol === 'http:' || target.protocol === 'https:') {
      for (const key of [idKey, 'payment_id', 'status', 'signature']) {
        if (message[key] !== undefined) target.searchParams.set(key, message[key]);
      }
      window.location.assign(target.toString());
      return;
    }
  }
  sendMessage(message);
}

// ---------------------------------------------------------------- loading and paying

/**
 * The page's object read with `api` (the page's requestJson): its body, or null once the error is shown.
 * `texts` holds the messages for a 404 (`notFound`) and any other failure without a message (`failed`).
 */
async function loadPageObject(root, api, path, texts) {
  const { status, body } = await api('GET', path);
  $('loading').hidden = true;
  if (status !== 200) {
    showError(null, status === 404 ? texts.notFound : body.message || texts.failed);
    root.dataset.state = 'error';
    return null;
  }
  return body;
}

/**
 * One payment POST with its button disabled: `{ outcome: 'done', payment }` on a 201, `{ outcome: 'otp_required' }`
 * when the card asks for its one-time password, else `{ outcome: 'error' }` with the error shown in `errorElement`.
 */
async function postPayment(api, path, body, errorElement, button) {
  clearError(errorElement);
  button.disabled = true;
  let answer;
  try {
    answer = await api('POST', path, body);
  } finally {
    button.disabled = false;
  }
  if (answer.status === 201) return { outcome: 'done', payment: answer.body };
  if (answer.status === 200 && answer.body.status === 'otp_required') return { outcome: 'otp_required' };
  showError(errorElement, answer.body.message || 'The payment could not be made.');
  return { outcome: 'error' };
}

// ---------------------------------------------------------------- the card step

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
function readCard(sandbox) {
  const digits = cardDigits();
  if (!/^\d{12,19}$/.test(digits)) return { error: 'Enter the card number (12 to 19 digits).' };
  const network = TEST_CARD_NETWORK.get(digits);
  if (!network && !luhnValid(digits)) return { error: 'This card number is not valid. Check it and try again.' };
  if (sandbox && !network) return { error: 'In the sandbox, use one of the test cards listed below.' };
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

/**
 * Wires the page's card form: the number formatted as typed, the sandbox test cards listed, and on submit the page's
 * checks, then `send({ card, otp? })` (the page's POST: it answers postPayment's outcome and handles 'done' itself),
 * then the one-time password prompt when the card asks for it. `submitLabel`, when given, names the submit button
 * again on every reset. Answers `{ reset }`: the form emptied (the name on the card kept).
 */
function setUpCardForm({ sandbox, send, submitLabel }) {
  function reset() {
    for (const id of ['card-number', 'card-expiry', 'card-cvv', 'card-otp']) $(id).value = '';
    $('otp-step').hidden = true;
    if (submitLabel) $('card-submit').textContent = submitLabel();
    clearError($('card-error'));
  }

  async function submit(event) {
    event.preventDefault();
    const errorElement = $('card-error');
    const read = readCard(sandbox);
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
    const outcome = await send({ card: read.card, ...(otpStep ? { otp } : {}) });
    if (outcome === 'otp_required') {
      $('otp-step').hidden = false;
      $('card-submit').textContent = 'Confirm';
      $('card-otp').focus();
    }
  }

  function fillTestCard(number, network) {
    reset();
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

  $('card-form').addEventListener('submit', (event) => void submit(event));
  $('card-number').addEventListener('input', formatCardNumberInput);
  renderTestCards();
  return { reset };
}

// ---------------------------------------------------------------- the payin pages' methods (payment-methods.html)

const PAYIN_METHODS = ['card', 'bank_transfer', 'pay_via_bank'];

/** Shows `method`'s tab as selected and its panel, hiding the others'. */
function selectMethodTab(method) {
  for (const other of PAYIN_METHODS) {
    const tab = $(`tab-${other}`);
    tab.setAttribute('aria-selected', String(other === method));
    tab.tabIndex = other === method ? 0 : -1;
    $(`panel-${other}`).hidden = other !== method;
  }
}

/**
 * Shows an answer of a payin's `bank_transfer_details` route in the bank transfer panel: the account, or the error
 * with the button disabled. Answers whether the details were shown.
 */
function showBankTransferDetails({ status, body }) {
  $('bt-loading').hidden = true;
  if (status !== 200) {
    showError($('bt-error'), body.message || 'The account details could not be loaded.');
    $('bt-details').hidden = false;
    $('bt-submit').disabled = true;
    return false;
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
  return true;
}

window.glomoCardForm = Object.freeze({
  PAYIN_METHODS,
  selectMethodTab,
  showBankTransferDetails,
  $,
  requestJson,
  formatAmount,
  showError,
  clearError,
  showResult,
  reportResult,
  loadPageObject,
  postPayment,
  setUpCardForm,
});
