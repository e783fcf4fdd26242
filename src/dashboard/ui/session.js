// The signed-in session, in sessionStorage only (gone with the tab; never localStorage or a cookie): the Bearer key
// the dashboard calls /api/v1 with, its environment and merchant, and for an operator the ADMIN_TOKEN and the
// short-lived credential minted for the picked merchant.
const STORAGE_KEY = 'glomo.dashboard.session';
const listeners = new Set();
let notice = '';

export function currentSession() {
  try {
    const value = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    return value && typeof value.key === 'string' ? value : null;
  } catch {
    return null;
  }
}

export function startSession(session) {
  window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  notice = '';
  for (const listener of listeners) listener();
}

/** Ends the session; `message` is shown on the sign-in page. */
export function signOut(message = '') {
  window.sessionStorage.removeItem(STORAGE_KEY);
  notice = message;
  for (const listener of listeners) listener();
}

export const signOutNotice = () => notice;

export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The claims of a secret key (a JWT), read without verifying (the server verifies it on every request). */
export function keyClaims(key) {
  const part = key.split('.')[1];
  if (!part) return null;
  try {
    const json = window.atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}
