// The dashboard's entry: the session decides between the sign-in page and the layout (header with the environment,
// the navigation, the page of the hash route). Routes: #/balances, #/<objects>[/<id>], #/webhooks[/<id>],
// #/events/<id>, #/sandbox, #/keys, #/mail.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html, request, useRoute } from './lib.js';
import { currentSession, onSessionChange, signOut } from './session.js';
import { SignIn } from './signin.js';
import { Balances } from './balances.js';
import { RESOURCES } from './resources.js';
import { ListPage } from './list.js';
import { DetailPage } from './detail.js';
import { EventDetail, Webhooks } from './webhooks.js';
import { SandboxPage } from './sandbox.js';
import { ApiKeys } from './keys.js';
import { MailPage } from './mail.js';

const NAV = [
  ['balances', 'Balances'],
  ...Object.entries(RESOURCES).map(([key, resource]) => [key, resource.title]),
  ['webhooks', 'Webhooks'],
  ['sandbox', 'Sandbox', (session) => session.env === 'sandbox'],
  ['keys', 'API keys'],
  ['mail', 'Mail'],
];

function NotFound() {
  return html`<h1 tabindex="-1" class="page-title">Not found</h1><p>There is no such page. <a href="#/balances">Balances</a></p>`;
}

function Page({ route, session }) {
  const [section, id] = route.parts;
  if (!section || section === 'balances') return html`<${Balances} />`;
  if (RESOURCES[section]) {
    return id ? html`<${DetailPage} key=${id} name=${section} id=${id} session=${session} />`
      : html`<${ListPage} key=${section + route.query} name=${section} query=${route.query} />`;
  }
  if (section === 'webhooks') return html`<${Webhooks} endpointId=${id} />`;
  if (section === 'events' && id) return html`<${EventDetail} key=${id} id=${id} />`;
  if (section === 'sandbox' && session.env === 'sandbox') return html`<${SandboxPage} />`;
  if (section === 'keys') return html`<${ApiKeys} session=${session} />`;
  if (section === 'mail') return html`<${MailPage} />`;
  return html`<${NotFound} />`;
}

async function endSession(session) {
  // An operator's credential is revoked at once rather than left to expire.
  if (session.mode === 'operator' && session.credentialId) {
    try {
      await request('DELETE', `/admin/v1/merchants/${encodeURIComponent(session.merchantId)}/mcp_credentials/${encodeURIComponent(session.credentialId)}`,
        undefined, { token: session.adminToken });
    } catch {
      // It expires within the hour anyway.
    }
  }
  signOut();
  window.location.hash = '#/';
}

function skipToMain(event) {
  // The hash is the route: focus the content instead of following #main.
  event.preventDefault();
  document.getElementById('main')?.focus();
}

function Layout({ session }) {
  const route = useRoute();
  const section = route.parts[0] || 'balances';
  useEffect(() => {
    // A new page: its heading takes the focus (not on the first render, where the skip link comes first).
    const title = document.querySelector('#main .page-title');
    if (title && document.activeElement && document.activeElement !== document.body) title.focus();
  }, [route.parts.join('/')]);
  return html`
    <a class="skip-link" href="#main" onClick=${skipToMain}>Skip to content</a>
    <header class="top container-fluid">
      <nav aria-label="Account">
        <ul>
          <li><strong><a href="#/balances" class="brand">Glomo</a></strong></li>
          <li><span class=${`env-badge env-${session.env}`} data-env=${session.env}>${session.env === 'sandbox' ? 'Sandbox' : 'Production'}</span></li>
        </ul>
        <ul>
          <li class="who"><small>${session.mode === 'operator' ? `Operator · ${session.merchantName || session.merchantId}` : session.merchantId}</small></li>
          <li><button type="button" class="outline secondary sign-out" onClick=${() => endSession(session)}>Sign out</button></li>
        </ul>
      </nav>
    </header>
    <div class="shell container-fluid">
      <nav class="sections" aria-label="Sections">
        <ul>
          ${NAV.filter(([, , show]) => !show || show(session)).map(([key, title]) => html`<li>
            <a href=${`#/${key}`} aria-current=${section === key ? 'page' : undefined}>${title}</a>
          </li>`)}
        </ul>
      </nav>
      <main id="main" tabindex="-1">
        <${Page} route=${route} session=${session} />
      </main>
    </div>`;
}

function App() {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(() => setSession(currentSession())), []);
  return session ? html`<${Layout} session=${session} />` : html`<${SignIn} />`;
}

render(html`<${App} />`, document.getElementById('app'));
