// Sign-in: a merchant's secret key (sandbox or production), or an operator's ADMIN_TOKEN, a merchant picked from
// GET /admin/v1/merchants and a short-lived credential minted for it (POST /admin/v1/merchants/{id}/mcp_credentials),
// which the dashboard then uses as the Bearer key on /api/v1 like any other.
import { useState } from 'preact/hooks';
import { html, request, ErrorNote, withQuery } from './lib.js';
import { keyClaims, signOutNotice, startSession } from './session.js';

/** How long an operator's credential for the picked merchant lives (MCP credentials take 60 s and up). */
export const OPERATOR_CREDENTIAL_SECONDS = 3600;

function MerchantKeyForm() {
  const [key, setKey] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const trimmed = key.trim();
    const claims = keyClaims(trimmed);
    if (!claims || (claims.env !== 'sandbox' && claims.env !== 'production')) {
      setError(new Error('That is not a secret key: paste the sandbox or production secret key (a JWT).'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // Any read proves the key; the balances are the first page anyway.
      await request('GET', '/api/v1/balances', undefined, { token: trimmed });
      startSession({ mode: 'merchant', key: trimmed, env: claims.env, merchantId: String(claims.sub ?? '') });
      window.location.hash = '#/balances';
    } catch (failure) {
      setError(failure.status === 401 ? new Error('The key was refused: it is wrong, rotated away or revoked.') : failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<form onSubmit=${submit} aria-labelledby="merchant-signin-title">
    <h2 id="merchant-signin-title">Merchant</h2>
    <label for="secret-key">Secret key
      <input id="secret-key" name="secret-key" type="password" autocomplete="off" spellcheck="false" required value=${key}
        onInput=${(event) => setKey(event.currentTarget.value)} aria-describedby="secret-key-hint" />
    </label>
    <small id="secret-key-hint">Your sandbox or production secret key. It is kept in this tab only, until you sign out or close it.</small>
    <${ErrorNote} error=${error} />
    <button type="submit" aria-busy=${busy ? 'true' : 'false'} disabled=${busy}>Sign in</button>
  </form>`;
}

function OperatorForm() {
  const [token, setToken] = useState('');
  const [merchants, setMerchants] = useState(null);
  const [merchantId, setMerchantId] = useState('');
  const [env, setEnv] = useState('sandbox');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const loadMerchants = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const list = await request('GET', withQuery('/admin/v1/merchants', { per_page: 100 }), undefined, { token: token.trim() });
      setMerchants(list.data);
      setMerchantId(list.data[0]?.id ?? '');
    } catch (failure) {
      setError(failure.status === 401 || failure.status === 404 ? new Error('The operator token was refused (or this server has no ADMIN_TOKEN).') : failure);
    } finally {
      setBusy(false);
    }
  };

  const pick = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const adminToken = token.trim();
      const credential = await request('POST', `/admin/v1/merchants/${encodeURIComponent(merchantId)}/mcp_credentials`,
        { env, expires_in: OPERATOR_CREDENTIAL_SECONDS }, { token: adminToken });
      const merchant = merchants.find((m) => m.id === merchantId);
      startSession({
        mode: 'operator', key: credential.token, env: credential.env, merchantId, merchantName: merchant?.name ?? '',
        adminToken, credentialId: credential.id, expiresAt: credential.expires_at,
      });
      window.location.hash = '#/balances';
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (!merchants) {
    return html`<form onSubmit=${loadMerchants} aria-labelledby="operator-signin-title">
      <h2 id="operator-signin-title">Operator</h2>
      <label for="admin-token">Operator token (ADMIN_TOKEN)
        <input id="admin-token" name="admin-token" type="password" autocomplete="off" spellcheck="false" required value=${token}
          onInput=${(event) => setToken(event.currentTarget.value)} />
      </label>
      <${ErrorNote} error=${error} />
      <button type="submit" class="secondary" aria-busy=${busy ? 'true' : 'false'} disabled=${busy}>Choose a merchant</button>
    </form>`;
  }
  return html`<form onSubmit=${pick} aria-labelledby="operator-signin-title">
    <h2 id="operator-signin-title">Operator</h2>
    ${merchants.length === 0 ? html`<p>This server has no merchant yet.</p>` : html`
      <label for="merchant-picker">Merchant
        <select id="merchant-picker" required value=${merchantId} onChange=${(event) => setMerchantId(event.currentTarget.value)}>
          ${merchants.map((m) => html`<option value=${m.id}>${m.name} (${m.id})</option>`)}
        </select>
      </label>
      <fieldset>
        <legend>Environment</legend>
        ${['sandbox', 'production'].map((value) => html`<label>
          <input type="radio" name="operator-env" value=${value} checked=${env === value} onChange=${() => setEnv(value)} /> ${value}
        </label>`)}
      </fieldset>
      <small>A credential for this merchant and environment is minted for one hour and revoked when you sign out.</small>`}
    <${ErrorNote} error=${error} />
    <button type="submit" aria-busy=${busy ? 'true' : 'false'} disabled=${busy || merchants.length === 0}>Open the dashboard</button>
  </form>`;
}

export function SignIn() {
  const notice = signOutNotice();
  return html`<main id="main" class="container signin" tabindex="-1">
    <h1>Glomo dashboard</h1>
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    <div class="grid">
      <article><${MerchantKeyForm} /></article>
      <article><${OperatorForm} /></article>
    </div>
  </main>`;
}
