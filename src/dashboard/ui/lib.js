// The dashboard's shared pieces: htm bound to Preact, the API client (the session's Bearer key on this origin only),
// money and time formatting, the hash router and a loader hook.
import { h } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { currentSession, signOut } from './session.js';

export const html = htm.bind(h);

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/**
 * One request to this server's API: JSON in and out, the session's key (or `token`) as Bearer, no cookies. A 401 on
 * /api/v1 with the session's key ends the session (a rotated, revoked or expired key).
 */
export async function request(method, path, body, { token } = {}) {
  const bearer = token ?? currentSession()?.key;
  const headers = { accept: 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store',
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    if (response.status === 401 && token === undefined && currentSession()) signOut('Your session ended: the key was refused. Sign in again.');
    throw new ApiError(response.status, (json && json.message) || `${response.status} ${response.statusText}`, json);
  }
  return json;
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body),
  patch: (path, body) => request('PATCH', path, body),
  del: (path) => request('DELETE', path),
};

/** `path?name=value…` without the empty values. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

const digitsCache = new Map();

/** The currency's minor-unit digits (ISO 4217, as Intl knows them; 2 for a code it does not know). */
export function currencyDigits(currency) {
  if (!digitsCache.has(currency)) {
    let digits;
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    } catch {
      digits = 2;
    }
    digitsCache.set(currency, digits);
  }
  return digitsCache.get(currency);
}

/**
 * Minor units as the currency's amount: 123456 USD -> "USD 1,234.56". By the digits of the integer, never a division
 * (as the server's formatMinorUnits in core/money.ts, which the browser cannot import): no float rounds an amount.
 */
export function formatMoney(minor, currency) {
  if (!Number.isSafeInteger(minor) || !currency) return String(minor ?? '');
  const digits = currencyDigits(currency);
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits).replace(/\B(?=(\d{3})+$)/g, ',');
  const fraction = digits === 0 ? '' : `.${text.slice(-digits)}`;
  return `${currency} ${minor < 0 ? '-' : ''}${whole}${fraction}`;
}

/** An ISO timestamp as UTC text, "2026-12-07 10:00:00 UTC". */
export function formatTime(iso) {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return String(iso ?? '');
  // A calendar date (a subscription's next_payment_date) stays a date.
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The route from the hash: `#/orders/order_x?status=paid` -> {parts: ['orders', 'order_x'], query}. */
export function parseHash(hash) {
  const text = hash.replace(/^#\/?/, '');
  const [path, search = ''] = text.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

export function useRoute() {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export const href = (...parts) => `#/${parts.map(encodeURIComponent).join('/')}`;

/** Loads `load()` when `deps` change: {data, error, loading, reload}. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true, error: null }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

export function Loading({ what = 'Loading' }) {
  return html`<p aria-busy="true">${what}…</p>`;
}

export function ErrorNote({ error }) {
  if (!error) return null;
  return html`<p class="error-note" role="alert">${error.message || String(error)}</p>`;
}

/** The page's heading, focused when the page changes so that keyboard and screen-reader users land on it. */
export function PageTitle({ children }) {
  return html`<h1 tabindex="-1" class="page-title">${children}</h1>`;
}

/** A value of an object as text: objects and arrays as JSON. */
export function plain(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
