// API keys: rotate the environment's secret key (POST /api/v1/api-keys/rotate); the new key is shown once and
// becomes this session's key. An operator's session acts with a minted credential, which may not rotate keys.
import { useState } from 'preact/hooks';
import { api, ErrorNote, formatTime, html, PageTitle } from './lib.js';
import { startSession } from './session.js';

export function ApiKeys({ session }) {
  const [expireAfter, setExpireAfter] = useState('3600');
  const [rotated, setRotated] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  if (session.mode === 'operator') {
    return html`<${PageTitle}>API keys</${PageTitle}>
      <p>You are signed in as the operator with a credential minted for this merchant until ${formatTime(session.expiresAt)}.
        Keys are rotated with the merchant's own secret key, or by the operator's key reissue (<code>glomo merchant keys reissue</code>).</p>`;
  }
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post('/api/v1/api-keys/rotate', { expire_after_in_seconds: Number(expireAfter) });
      // The new key is the session's from now on: the previous one stops at previous_key_expires_at.
      startSession({ ...session, key: answer.secret_key });
      setRotated(answer);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<${PageTitle}>API keys</${PageTitle}>
    <p>Environment: <strong>${session.env}</strong>. Rotating issues a new secret key now; the current one keeps working for the time you choose.</p>
    <form onSubmit=${submit} aria-labelledby="rotate-title">
      <h2 id="rotate-title">Rotate the secret key</h2>
      <label for="expire-after">The current key keeps working for (seconds, 0 to 604800)
        <input id="expire-after" type="number" min="0" max="604800" required value=${expireAfter} onInput=${(e) => setExpireAfter(e.currentTarget.value)} />
      </label>
      <${ErrorNote} error=${error} />
      <button type="submit" disabled=${busy} aria-busy=${busy ? 'true' : 'false'}>Rotate</button>
    </form>
    ${rotated && html`<div class="notice secret-once" role="status">
      <p>Your new secret key, shown once (this session uses it now). The previous key stops at ${formatTime(rotated.previous_key_expires_at)}.</p>
      <pre><code id="new-secret-key">${rotated.secret_key}</code></pre>
    </div>`}`;
}
