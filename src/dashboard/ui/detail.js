// An object's page: its fields (GET of its read route), the sandbox actions that apply to it, and its timeline of
// events (GET /api/v1/events?entity_id=…), each linking to the event with its webhook deliveries.
import { useState } from 'preact/hooks';
import { api, ErrorNote, formatTime, href, html, Loading, PageTitle, useLoad, withQuery } from './lib.js';
import { RESOURCES } from './resources.js';
import { Cell } from './list.js';
import { MockActions } from './sandbox.js';

async function loadObject(resource, id) {
  if (resource.item) return api.get(resource.item(encodeURIComponent(id)));
  const idField = resource.idField ?? 'id';
  const list = await api.get(withQuery(resource.list, { per_page: 100 }));
  const found = list.data.find((row) => row[idField] === id);
  if (!found) throw new Error(`No ${resource.title.toLowerCase()} ${id} among the latest 100.`);
  return found;
}

const isComplex = (value) => value !== null && typeof value === 'object';

function Fields({ object }) {
  return html`<dl class="fields">
    ${Object.entries(object).map(([field, value]) => html`<div class="field">
      <dt>${field}</dt>
      <dd>${isComplex(value) ? html`<pre><code>${JSON.stringify(value, null, 2)}</code></pre>` : html`<${Cell} row=${object} field=${field} />`}</dd>
    </div>`)}
  </dl>`;
}

/** The object's events, oldest first: what happened to it, when (the environment's clock). */
export function Timeline({ id, refresh }) {
  const { data, error, loading } = useLoad(() => api.get(withQuery('/api/v1/events', { entity_id: id, per_page: 100 })), [id, refresh]);
  const events = data ? [...data.data].reverse() : [];
  return html`<section aria-labelledby="timeline-title">
    <h2 id="timeline-title">Timeline</h2>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} what="Loading events" />` : null}
    ${data && events.length === 0 ? html`<p>No event yet.</p>` : null}
    ${events.length > 0 && html`<ol class="timeline">
      ${events.map((event) => html`<li data-event-type=${`${event.entity_type}.${event.event_type}`}>
        <time datetime=${event.created_at}>${formatTime(event.created_at)}</time>
        <a href=${href('events', event.id)}><code>${event.entity_type}.${event.event_type}</code></a>
        <small>${event.deliveries.length === 0 ? 'no webhook delivery'
          : event.deliveries.map((d) => `${d.status} (${d.attempts} ${d.attempts === 1 ? 'attempt' : 'attempts'})`).join(', ')}</small>
      </li>`)}
    </ol>`}
  </section>`;
}

export function DetailPage({ name, id, session }) {
  const resource = RESOURCES[name];
  const { data, error, loading, reload } = useLoad(() => loadObject(resource, id), [name, id]);
  const [notice, setNotice] = useState(null);
  const done = (message) => {
    setNotice(message ?? null);
    reload();
  };
  return html`<p class="crumbs"><a href=${`#/${name}`}>← ${resource.title}</a></p>
    <${PageTitle}><code>${id}</code></${PageTitle}>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} />` : null}
    ${data && html`
      ${data.status && html`<p>Status: <span class="status" data-status=${data.status}>${data.status}</span></p>`}
      ${(name === 'orders' || name === 'payment-links') && html`<p><a href=${withQuery('#/payments', { payin_id: id })}>Payments of this ${name === 'orders' ? 'order' : 'link'}</a></p>`}
      ${notice && html`<p role="status" class="notice action-result">${notice}</p>`}
      ${session.env === 'sandbox' && html`<${MockActions} name=${name} object=${data} onDone=${done} />`}
      <section aria-labelledby="fields-title">
        <h2 id="fields-title">Details</h2>
        <${Fields} object=${data} />
      </section>
      <${Timeline} id=${id} refresh=${data} />`}`;
}
