// A drop-in for Glomo's web checkout SDK (decision 0038), served by this server at /checkout/sdk/index.js: plain
// browser JavaScript, an ES module, no build step. A merchant page imports it from this server instead of Glomo's
// (`import { GlomoCheckoutApi } from '<server>/checkout/sdk/index.js'`) and keeps the rest of its code:
//
//   const checkout = new GlomoCheckoutApi({ orderId: 'order_…', publicKey: 'test_…' });
//   checkout.on('payment.success', (response) => …);   // {order_id, payment_id, status, signature}
//   checkout.on('payment.failure', (response) => …);   // the same, with error_code and error_message
//   checkout.on('checkout.closed', () => …);
//   checkout.open();
//
// `open()` shows this server's hosted page (the order checkout, the subscription page for `subscriptionId`, the
// payment-link page for `paymentLinkId`) in a frame over the merchant's page. The page reports its result by
// postMessage; this module accepts a message only from this server's origin (taken from the module's own URL) and
// only from its own frame, and hands the handlers the page's payload without its `type`. Trust nothing before the
// merchant's server has verified the signature and read the payment.
/* global window, document, HTMLElement, URL */

const SERVER_ORIGIN = new URL(import.meta.url).origin;

/** Messages of the hosted pages that are events for the handlers (the name is the message's `type`). */
const PAGE_EVENTS = new Set([
  'payment.success',
  'payment.failure',
  'payment.pending',
  'payment.cancelled',
  'payment.bank_transfer_submitted',
  'subscription.authorized',
]);
/** A framed page asks to be closed (the customer pressed Escape inside it); not an event for the handlers. */
const CLOSE_REQUESTED = 'checkout.close_requested';

const OBJECTS = [
  // [option, id prefixes, the payload's id key, the page's path]
  ['orderId', ['order_'], 'order_id', (id, key) => `/checkout/${encodeURIComponent(id)}?public_key=${encodeURIComponent(key)}`],
  ['subscriptionId', ['sub_'], 'subscription_id', (id) => `/subscription/${encodeURIComponent(id)}`],
  ['paymentLinkId', ['plink_', 'payin_'], 'payment_link_id', (id) => `/payin/pl/${encodeURIComponent(id)}`],
];

/** The one object the options name, or a TypeError that says what is wrong (as Glomo's SDKs check before opening). */
function readOptions(options) {
  if (!options || typeof options !== 'object') throw new TypeError('GlomoCheckoutApi needs an options object: { orderId, publicKey }.');
  const { publicKey } = options;
  if (typeof publicKey !== 'string' || !/^(test|live)_./.test(publicKey)) {
    throw new TypeError('GlomoCheckoutApi: publicKey must be your publishable key (test_… or live_…).');
  }
  const given = OBJECTS.filter(([option]) => options[option] !== undefined && options[option] !== null && options[option] !== '');
  if (given.length !== 1) {
    throw new TypeError('GlomoCheckoutApi: give exactly one of orderId, subscriptionId or paymentLinkId.');
  }
  const [option, prefixes, idKey, pagePath] = given[0];
  const id = options[option];
  if (typeof id !== 'string' || !prefixes.some((prefix) => id.startsWith(prefix) && id.length > prefix.length)) {
    throw new TypeError(`GlomoCheckoutApi: ${option} must start with ${prefixes.map((p) => `'${p}'`).join(' or ')}.`);
  }
  return { id, idKey, url: `${SERVER_ORIGIN}${pagePath(id, publicKey)}` };
}

/** Calls one handler; a throwing handler is reported without stopping the others. */
function callHandler(handler, payload) {
  try {
    handler(payload);
  } catch (error) {
    if (typeof window.reportError === 'function') window.reportError(error);
    else window.setTimeout(() => { throw error; });
  }
}

function styled(tag, style, attributes = {}) {
  const element = document.createElement(tag);
  // CSSOM, not a style attribute: allowed under a merchant's Content-Security-Policy without 'unsafe-inline'.
  Object.assign(element.style, style);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

export class GlomoCheckoutApi {
  #target;
  #handlers = new Map();
  #view = null;

  /** `{orderId, publicKey}`; `subscriptionId` or `paymentLinkId` in place of `orderId` opens those pages. */
  constructor(options) {
    this.#target = readOptions(options);
  }

  /** Adds `handler` for `event` (`payment.success`, `payment.failure`, `payment.pending`, `checkout.closed`, …). */
  on(event, handler) {
    if (typeof event !== 'string' || event === '') throw new TypeError('GlomoCheckoutApi.on: the event must be a name.');
    if (typeof handler !== 'function') throw new TypeError('GlomoCheckoutApi.on: the handler must be a function.');
    if (!this.#handlers.has(event)) this.#handlers.set(event, []);
    this.#handlers.get(event).push(handler);
    return this;
  }

  /** Removes `handler` from `event` (every handler of `event` without one). */
  off(event, handler) {
    if (handler === undefined) this.#handlers.delete(event);
    else this.#handlers.set(event, (this.#handlers.get(event) || []).filter((h) => h !== handler));
    return this;
  }

  /** Shows the hosted page over the merchant's page; a second call while it is open does nothing. */
  open() {
    if (this.#view) return this;
    const returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;

    const overlay = styled('div', {
      position: 'fixed', inset: '0', zIndex: '2147483647', display: 'flex', alignItems: 'center', justifyContent: 'center',
      background: 'rgba(15, 23, 42, 0.6)', margin: '0', padding: '0',
    }, { 'data-glomo-checkout': '' });
    const small = window.matchMedia('(max-width: 540px), (max-height: 640px)').matches;
    // The hosted page's own background (checkout.css), so that bar, frame and page read as one surface.
    const dialog = styled('div', {
      position: 'relative', display: 'flex', flexDirection: 'column', background: '#f3f4f6', overflow: 'hidden',
      width: small ? '100%' : '480px', height: small ? '100%' : 'min(760px, calc(100% - 48px))',
      borderRadius: small ? '0' : '12px', boxShadow: '0 12px 48px rgba(0, 0, 0, 0.35)',
    }, { role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Glomo checkout' });
    const bar = styled('div', {
      display: 'flex', justifyContent: 'flex-end', alignItems: 'center', height: '44px', flex: '0 0 44px',
      padding: '0 4px', background: '#f3f4f6',
    });
    const closeButton = styled('button', {
      width: '40px', height: '40px', border: '0', borderRadius: '8px', background: 'transparent', color: '#111827',
      font: '400 28px/1 system-ui, sans-serif', cursor: 'pointer', padding: '0',
    }, { type: 'button', 'aria-label': 'Close checkout', 'data-glomo-close': '' });
    closeButton.textContent = '×';
    const frame = styled('iframe', { flex: '1 1 auto', width: '100%', border: '0', display: 'block', background: '#f3f4f6' }, {
      title: 'Glomo checkout', src: this.#target.url,
    });
    bar.append(closeButton);
    dialog.append(bar, frame);
    overlay.append(dialog);

    const onMessage = (event) => {
      // Only this server's page in this instance's frame: any other window (another origin, another frame of this
      // server, the merchant's own page) is ignored.
      if (event.origin !== SERVER_ORIGIN || event.source !== frame.contentWindow) return;
      const data = event.data;
      if (!data || typeof data !== 'object' || typeof data.type !== 'string') return;
      if (data.type === CLOSE_REQUESTED) {
        this.#closeByCustomer();
        return;
      }
      if (!PAGE_EVENTS.has(data.type)) return;
      const { type, ...payload } = data;
      this.#emit(type, payload);
    };
    const onKeyDown = (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      this.#closeByCustomer();
    };
    // Keeps the focus in the dialog: whatever else gets it (Tab past the frame, a click behind) hands it back.
    const onFocusIn = (event) => {
      if (!overlay.contains(event.target)) closeButton.focus();
    };
    const onClick = (event) => {
      event.preventDefault();
      this.#closeByCustomer();
    };
    closeButton.addEventListener('click', onClick);
    frame.addEventListener('load', () => {
      if (this.#view && this.#view.frame === frame) frame.focus();
    }, { once: true });
    window.addEventListener('message', onMessage);
    document.addEventListener('keydown', onKeyDown, true);
    document.addEventListener('focusin', onFocusIn, true);

    const root = document.documentElement;
    const overflow = root.style.overflow;
    root.style.overflow = 'hidden';
    document.body.append(overlay);
    closeButton.focus();

    this.#view = {
      frame,
      remove: () => {
        window.removeEventListener('message', onMessage);
        document.removeEventListener('keydown', onKeyDown, true);
        document.removeEventListener('focusin', onFocusIn, true);
        overlay.remove();
        root.style.overflow = overflow;
        if (returnFocus && returnFocus.isConnected) returnFocus.focus();
      },
    };
    return this;
  }

  /** Closes the checkout without an event (the merchant's own call); `checkout.closed` is for the customer's close. */
  close() {
    const view = this.#view;
    this.#view = null;
    if (view) view.remove();
    return this;
  }

  #closeByCustomer() {
    if (!this.#view) return;
    this.close();
    this.#emit('checkout.closed', { [this.#target.idKey]: this.#target.id });
  }

  #emit(event, payload) {
    for (const handler of [...(this.#handlers.get(event) || [])]) callHandler(handler, { ...payload });
  }
}

export default GlomoCheckoutApi;
