// The sandbox tools: the test clock (GET /api/v1/sandbox/clock, POST …/advance) and the mock actions of the object
// shown, each one of the sandbox helper routes of the public API (pay this order, complete this payout, fail this
// refund, …). Production keys never see them (the routes answer 404 there).
import { useState } from 'preact/hooks';
import { api, ErrorNote, formatMoney, formatTime, href, html, Loading, PageTitle, useLoad } from './lib.js';

const TERMINAL = new Set(['success', 'failed', 'cancelled', 'rejected', 'completed', 'expired', 'paid']);

/** A button that runs one sandbox call, then tells what happened and reloads the object. */
function ActionButton({ label, run, onDone, className = '' }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const click = async () => {
    setBusy(true);
    setError(null);
    try {
      await run();
      onDone(`${label}: done.`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return html`<span class="action">
    <button type="button" class=${className} onClick=${click} disabled=${busy} aria-busy=${busy ? 'true' : 'false'}>${label}</button>
    <${ErrorNote} error=${error} />
  </span>`;
}

/** Pays an order or a payment link with POST /api/v1/payment/mock (a bank transfer or a sandbox test card). */
function PayForm({ payinId, amount, currency, onDone, what }) {
  const [values, setValues] = useState({ amount: String(amount ?? ''), currency: currency ?? '', method: 'BankTransfer', card: '4532 4911 1111 1111' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (field) => (event) => setValues({ ...values, [field]: event.currentTarget.value });
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { payin_id: payinId, amount: Number(values.amount), currency: values.currency.trim().toUpperCase(), payment_method: values.method };
      if (values.method === 'Card') body.card_number = values.card;
      const payment = await api.post('/api/v1/payment/mock', body);
      // The object reloads (and, paid, no longer offers this form): the page keeps the answer.
      onDone(html`Payment <a href=${href('payments', payment.id)}>${payment.id}</a>: ${payment.status}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="pay-form" onSubmit=${submit} aria-labelledby="pay-title">
    <h3 id="pay-title">Pay this ${what}</h3>
    <div class="grid">
      <label for="pay-amount">Amount (minor units)
        <input id="pay-amount" inputmode="numeric" required value=${values.amount} onInput=${set('amount')} />
      </label>
      <label for="pay-currency">Currency
        <input id="pay-currency" required maxlength="3" value=${values.currency} onInput=${set('currency')} />
      </label>
      <label for="pay-method">Method
        <select id="pay-method" value=${values.method} onChange=${set('method')}>
          <option value="BankTransfer">Bank transfer</option>
          <option value="Card">Card (a sandbox test card)</option>
        </select>
      </label>
      ${values.method === 'Card' && html`<label for="pay-card">Test card number
        <input id="pay-card" value=${values.card} onInput=${set('card')} />
      </label>`}
    </div>
    <${ErrorNote} error=${error} />
    <button type="submit" id="pay-submit" disabled=${busy} aria-busy=${busy ? 'true' : 'false'}>Pay ${formatMoney(Number(values.amount), values.currency)}</button>
  </form>`;
}

function TransferForm({ account, onDone }) {
  const [values, setValues] = useState({ amount: '10000', remitter_name: 'Test Remitter', reference: '' });
  const [error, setError] = useState(null);
  const set = (field) => (event) => setValues({ ...values, [field]: event.currentTarget.value });
  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      const body = { account_number: account.account_number, currency: account.currency, amount: Number(values.amount), remitter_name: values.remitter_name };
      if (values.reference.trim()) body.reference = values.reference.trim();
      const done = await api.post('/api/v1/virtual-accounts/mock-transfer', body);
      onDone(done.id ? html`Transfer received as payment <a href=${href('payments', done.id)}>${done.id}</a>: ${done.status}` : 'Transfer sent.');
    } catch (failure) {
      setError(failure);
    }
  };
  return html`<form onSubmit=${submit} aria-labelledby="transfer-title">
    <h3 id="transfer-title">Send a transfer to this account</h3>
    <div class="grid">
      <label for="transfer-amount">Amount (minor units, ${account.currency})<input id="transfer-amount" inputmode="numeric" required value=${values.amount} onInput=${set('amount')} /></label>
      <label for="transfer-remitter">Remitter<input id="transfer-remitter" required value=${values.remitter_name} onInput=${set('remitter_name')} /></label>
      <label for="transfer-reference">Reference (an order or link id pays it)<input id="transfer-reference" value=${values.reference} onInput=${set('reference')} /></label>
    </div>
    <${ErrorNote} error=${error} />
    <button type="submit">Send transfer</button>
  </form>`;
}

/** The sandbox helpers that apply to this object in its state. */
export function MockActions({ name, object, onDone }) {
  const id = encodeURIComponent(object.id ?? '');
  const actions = [];
  const button = (label, run, className) => html`<${ActionButton} label=${label} run=${run} onDone=${onDone} className=${className} />`;
  if (name === 'orders' && object.status === 'active') {
    return html`<section class="sandbox-tools" aria-label="Sandbox actions"><${PayForm} what="order" payinId=${object.id} amount=${object.amount} currency=${object.currency} onDone=${onDone} /></section>`;
  }
  if (name === 'payment-links' && (object.status === 'active' || object.status === 'partially_paid')) {
    return html`<section class="sandbox-tools" aria-label="Sandbox actions"><${PayForm} what="payment link" payinId=${object.id}
      amount=${object.amount - (object.amount_paid ?? 0)} currency=${object.currency} onDone=${onDone} /></section>`;
  }
  if (name === 'payment-links' && object.status === 'under_review') actions.push(button('Mark reviewed', () => api.patch(`/api/v1/payin/${id}/mock_mark_reviewed`)));
  if (name === 'payments' && object.status === 'success' && object.funds_available === false) {
    actions.push(button('Make the funds available', () => api.patch(`/api/v1/payment/${id}/mock-funds-available`)));
  }
  if (name === 'refunds' && object.status === 'in_progress') {
    actions.push(button('Complete this refund', () => api.patch(`/api/v1/refunds/${id}/mock_update_status`, { status: 'success' })));
    actions.push(button('Fail this refund', () => api.patch(`/api/v1/refunds/${id}/mock_update_status`, { status: 'failed' }), 'secondary'));
  }
  if (name === 'payouts' && !TERMINAL.has(object.status)) {
    const move = (status) => () => api.patch('/api/v1/payouts/mock', { id: object.id, status });
    actions.push(button('Complete this payout', move('success')));
    actions.push(button('Fail this payout', move('failed'), 'secondary'));
    if (object.status === 'queued' || object.status === 'pending_approval') actions.push(button('Release for processing', move('pending'), 'outline'));
  }
  if (name === 'beneficiaries' && object.status === 'pending') {
    actions.push(button('Approve', () => api.patch(`/api/v2/beneficiaries/${id}/mock-review`, { review_action: 'approve' })));
    actions.push(button('Reject', () => api.patch(`/api/v2/beneficiaries/${id}/mock-review`, { review_action: 'reject' }), 'secondary'));
  }
  if (name === 'subscriptions' && !TERMINAL.has(object.status)) {
    actions.push(button('Next renewals succeed', () => api.patch(`/api/v1/subscriptions/${id}/mock_renewal_outcome`, { outcome: 'success' })));
    actions.push(button('Next renewals fail', () => api.patch(`/api/v1/subscriptions/${id}/mock_renewal_outcome`, { outcome: 'failed' }), 'secondary'));
  }
  if (name === 'virtual-accounts' && object.status === 'active') {
    return html`<section class="sandbox-tools" aria-label="Sandbox actions"><${TransferForm} account=${object} onDone=${onDone} /></section>`;
  }
  if (actions.length === 0) return null;
  return html`<section class="sandbox-tools" aria-labelledby="sandbox-actions-title">
    <h2 id="sandbox-actions-title">Sandbox actions</h2>
    <div class="actions">${actions}</div>
  </section>`;
}

const ADVANCES = [['1 hour', 3600], ['1 day', 86_400], ['7 days', 604_800], ['30 days', 2_592_000]];

/** The test clock: its time and offset, advance by a step or to a time, and what ran on the way. */
export function SandboxPage() {
  const { data, error, loading, reload } = useLoad(() => api.get('/api/v1/sandbox/clock'), []);
  const [to, setTo] = useState('');
  const [result, setResult] = useState(null);
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const advance = async (body) => {
    setBusy(true);
    setFailure(null);
    try {
      setResult(await api.post('/api/v1/sandbox/clock/advance', body));
      reload();
    } catch (problem) {
      setFailure(problem);
    } finally {
      setBusy(false);
    }
  };
  const advanceTo = (event) => {
    event.preventDefault();
    const parsed = Date.parse(to);
    if (Number.isNaN(parsed)) {
      setFailure(new Error('Give a time such as 2026-06-01T00:00:00Z.'));
      return;
    }
    void advance({ to: new Date(parsed).toISOString().replace(/\.000Z$/, 'Z') });
  };
  const settle = async () => {
    setFailure(null);
    try {
      setResult({ settlements: await api.post('/api/v1/settlements/mock-trigger') });
    } catch (problem) {
      setFailure(problem);
    }
  };
  return html`<${PageTitle}>Sandbox</${PageTitle}>
    <section aria-labelledby="clock-title">
      <h2 id="clock-title">Test clock</h2>
      <${ErrorNote} error=${error} />
      ${loading && !data ? html`<${Loading} what="Reading the clock" />` : null}
      ${data && html`<p class="clock">Now: <strong id="clock-now"><time datetime=${data.now}>${formatTime(data.now)}</time></strong>
        <br /><small>${data.offset_seconds} s ahead of real time; last moved ${formatTime(data.updated_at)}</small></p>`}
      <div class="actions" role="group" aria-label="Advance the clock">
        ${ADVANCES.map(([label, seconds]) => html`<button type="button" disabled=${busy} onClick=${() => advance({ seconds })}>+ ${label}</button>`)}
        <button type="button" class="secondary" disabled=${busy} onClick=${() => advance({ seconds: 0 })}>Run what is due now</button>
      </div>
      <form onSubmit=${advanceTo} class="advance-to">
        <label for="advance-to">Advance to (ISO 8601, UTC)</label>
        <fieldset role="group">
          <input id="advance-to" placeholder="2026-06-01T00:00:00Z" value=${to} onInput=${(e) => setTo(e.currentTarget.value)} />
          <button type="submit" disabled=${busy}>Advance</button>
        </fieldset>
      </form>
      <${ErrorNote} error=${failure} />
      ${busy && html`<p aria-busy="true">Advancing: everything due on the way runs first…</p>`}
      ${result && html`<div role="status" class="notice">
        ${result.now ? html`<p>The clock is at ${formatTime(result.now)}. Ran: ${Object.keys(result.ran ?? {}).length === 0 ? 'nothing'
          : Object.entries(result.ran).map(([kind, count]) => `${kind} ×${count}`).join(', ')}</p>` : null}
        ${result.settlements ? html`<pre><code>${JSON.stringify(result.settlements, null, 2)}</code></pre>` : null}
      </div>`}
    </section>
    <section aria-labelledby="settle-title">
      <h2 id="settle-title">Settlements</h2>
      <p>Settle every successful payment whose funds are available, one settlement per currency.</p>
      <button type="button" class="secondary" onClick=${settle}>Trigger settlements</button>
    </section>`;
}
