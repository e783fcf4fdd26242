// The hosted subscription page's script (plain browser JavaScript, no build step, served by this server only).
// It reads the subscription through GET /api/public/v1/subscription/{id} (no key: the link is the subscription's id),
// shows the plan, and takes the first instalment by card through POST /api/public/v1/subscription/{id}/payments, with
// the one-time password step of the cards that ask for one: the card form is the order checkout's (card-form.js,
// loaded before this script, as are the requests, the result panel and the report).
// A success (or a card authorised for a future start) is reported to the embedding site: by navigating to the
// page's redirect_url with the signed result, or else by postMessage to the parent frame or the opener. A declined
// card is shown and reported, and the customer may try again. The card number and CVV stay in the form fields and go
// only into that one POST body: never into a URL, storage, the console or the DOM's attributes.
/* global window, document, navigator */

const {
  $, requestJson, formatAmount, showError, reportResult, loadPageObject, postPayment, setUpCardForm,
} = window.glomoCardForm;

const root = document.getElementById('subscription');
const SUBSCRIPTION_ID = root.dataset.subscriptionId;
const REDIRECT_URL = root.dataset.redirectUrl || '';
const SANDBOX = root.dataset.mode === 'sandbox';

let subscription = null;

// ---------------------------------------------------------------- the API

const api = (method, path, body) => requestJson(method, path, body);

const subscriptionPath = (suffix = '') => `/api/public/v1/subscription/${encodeURIComponent(SUBSCRIPTION_ID)}${suffix}`;

// ---------------------------------------------------------------- money and dates

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

/** Reports a result: a final one navigates to redirect_url when the page has one (then no message), else postMessage. */
const report = (type, result, final) =>
  reportResult(type, ['subscription_id', SUBSCRIPTION_ID], result, final ? REDIRECT_URL : '');

const showResult = (title, text, options = {}) =>
  window.glomoCardForm.showResult(root, ['pay', 'first-payment'], title, text, options);

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

function payLabel() {
  return subscription.charges_now ? `Pay ${amountText(subscription)}` : 'Authorise card';
}

async function payByCard(body) {
  const { outcome, payment } = await postPayment(api, subscriptionPath('/payments'), body, $('card-error'), $('card-submit'));
  if (outcome === 'done') {
    cardForm.reset();
    await finishPayment(payment);
  }
  return outcome;
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
  subscription = await loadPageObject(root, api, subscriptionPath(), {
    notFound: 'This subscription was not found.', failed: 'The subscription could not be loaded.',
  });
  if (subscription) renderSubscription();
}

$('result-retry').addEventListener('click', () => {
  $('result').hidden = true;
  $('pay').hidden = false;
  $('first-payment').hidden = false;
  root.dataset.state = 'ready';
  $('card-number').focus();
});
// The card form's listeners and its test cards (card-form.js); the subscription is loaded after.
const cardForm = setUpCardForm({ sandbox: SANDBOX, send: payByCard, submitLabel: payLabel });
void start();
