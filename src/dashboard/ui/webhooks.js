// Webhooks: the endpoints (create, rotate the signing secret, send a test, enable or disable), the events with their
// deliveries, and an event's page with every delivery attempt (the request body sent, the answer received) and a
// redeliver button (POST /api/v1/events/{id}/redeliver).
import { useState } from 'preact/hooks';
import { api, ErrorNote, formatTime, href, html, Loading, PageTitle, useLoad, withQuery } from './lib.js';
import { currentSession } from './session.js';
import { resourceOfId } from './resources.js';

function SecretOnce({ secret }) {
  if (!secret) return null;
  return html`<div class="notice secret-once" role="status">
    <p>The signing secret, shown once: keep it now.</p>
    <pre><code id="endpoint-secret">${secret}</code></pre>
  </div>`;
}

function CreateEndpoint({ onCreated }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState('');
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    const body = { url: url.trim() };
    if (description.trim()) body.description = description.trim();
    const names = events.split(/[\s,]+/).filter(Boolean);
    if (names.length > 0) body.enabled_events = names;
    try {
      const created = await api.post('/api/v1/webhook_endpoints', body);
      setUrl('');
      setDescription('');
      setEvents('');
      onCreated(created);
    } catch (failure) {
      setError(failure);
    }
  };
  return html`<form onSubmit=${submit} aria-labelledby="create-endpoint-title" class="create-endpoint">
    <h2 id="create-endpoint-title">New endpoint</h2>
    <label for="endpoint-url">URL<input id="endpoint-url" type="url" required placeholder="https://example.com/glomo/webhooks" value=${url} onInput=${(e) => setUrl(e.currentTarget.value)} /></label>
    <div class="grid">
      <label for="endpoint-description">Description (optional)<input id="endpoint-description" value=${description} onInput=${(e) => setDescription(e.currentTarget.value)} /></label>
      <label for="endpoint-events">Events (optional: names separated by spaces or commas; every event when empty)
        <input id="endpoint-events" placeholder="payment.success refund.failed" value=${events} onInput=${(e) => setEvents(e.currentTarget.value)} /></label>
    </div>
    <${ErrorNote} error=${error} />
    <button type="submit">Create endpoint</button>
  </form>`;
}

function EndpointRow({ endpoint, onChanged, onSecret }) {
  const [error, setError] = useState(null);
  const [note, setNote] = useState('');
  const id = encodeURIComponent(endpoint.id);
  const run = (call, after) => async () => {
    setError(null);
    setNote('');
    try {
      after(await call());
    } catch (failure) {
      setError(failure);
    }
  };
  const sandbox = currentSession()?.env === 'sandbox';
  return html`<article class="endpoint" data-endpoint-id=${endpoint.id}>
    <header>
      <strong><a href=${href('webhooks', endpoint.id)}>${endpoint.url}</a></strong>
      <span class="status" data-status=${endpoint.status}>${endpoint.status}</span>
    </header>
    <p><small><code>${endpoint.id}</code> · secret …${endpoint.secret_hint} · ${endpoint.enabled_events ? endpoint.enabled_events.join(', ') : 'every event'}
      ${endpoint.description ? ` · ${endpoint.description}` : ''}</small></p>
    <div class="actions">
      <button type="button" class="outline" onClick=${run(() => api.post(`/api/v1/webhook_endpoints/${id}/rotate_secret`), (rotated) => {
        onSecret(rotated.secret);
        onChanged();
      })}>Rotate secret</button>
      ${sandbox && endpoint.status === 'enabled' && html`<button type="button" class="outline" onClick=${run(() => api.post(`/api/v1/webhook_endpoints/${id}/test`),
        (event) => setNote(`Test event ${event.id} sent.`))}>Send a test event</button>`}
      <button type="button" class="outline secondary" onClick=${run(() => api.patch(`/api/v1/webhook_endpoints/${id}`,
        { status: endpoint.status === 'enabled' ? 'disabled' : 'enabled' }), onChanged)}>${endpoint.status === 'enabled' ? 'Disable' : 'Enable'}</button>
    </div>
    ${note && html`<p role="status">${note}</p>`}
    <${ErrorNote} error=${error} />
  </article>`;
}

/** The latest events with their deliveries (only those to `endpointId` when given). */
function EventList({ endpointId, refresh }) {
  const [page, setPage] = useState(1);
  const { data, error, loading } = useLoad(() => api.get(withQuery('/api/v1/events', { page, per_page: 25 })), [page, refresh]);
  const rows = (data?.data ?? []).map((event) => ({
    ...event, deliveries: endpointId ? event.deliveries.filter((d) => d.endpoint_id === endpointId) : event.deliveries,
  })).filter((event) => !endpointId || event.deliveries.length > 0);
  return html`<section aria-labelledby="events-title">
    <h2 id="events-title">${endpointId ? 'Deliveries to this endpoint' : 'Events and deliveries'}</h2>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} what="Loading events" />` : null}
    ${data && rows.length === 0 ? html`<p>Nothing on this page.</p>` : null}
    ${rows.length > 0 && html`<div class="overflow-auto"><table class="striped deliveries">
      <thead><tr><th scope="col">Event</th><th scope="col">Object</th><th scope="col">At</th><th scope="col">Deliveries</th></tr></thead>
      <tbody>${rows.map((event) => html`<tr data-event-id=${event.id}>
        <td><a href=${href('events', event.id)}><code>${event.entity_type}.${event.event_type}</code></a></td>
        <td>${event.entity_id && resourceOfId(event.entity_id) ? html`<a href=${href(resourceOfId(event.entity_id), event.entity_id)}>${event.entity_id}</a>`
          : event.entity_id ?? '—'}</td>
        <td class="nowrap">${formatTime(event.created_at)}</td>
        <td>${event.deliveries.length === 0 ? 'none' : event.deliveries.map((d) => html`<span class="status" data-status=${d.status}>${d.status}</span>
          <small> ${d.attempts} ${d.attempts === 1 ? 'attempt' : 'attempts'}${d.last_status_code ? ` · HTTP ${d.last_status_code}` : d.last_error ? ` · ${d.last_error}` : ''}</small> `)}</td>
      </tr>`)}</tbody>
    </table></div>`}
    ${data && html`<nav class="pager" aria-label="Event pages">
      ${data.page_meta.previous ? html`<button type="button" class="outline" onClick=${() => setPage(data.page_meta.previous)}>← Newer</button>` : html`<span></span>`}
      <span>Page ${data.page_meta.current} of ${Math.max(data.page_meta.pages, 1)}</span>
      ${data.page_meta.next ? html`<button type="button" class="outline" onClick=${() => setPage(data.page_meta.next)}>Older →</button>` : html`<span></span>`}
    </nav>`}
  </section>`;
}

export function Webhooks({ endpointId }) {
  const { data, error, loading, reload } = useLoad(() => api.get(withQuery('/api/v1/webhook_endpoints', { per_page: 100 })), []);
  const [secret, setSecret] = useState('');
  const shown = endpointId ? (data?.data ?? []).filter((endpoint) => endpoint.id === endpointId) : (data?.data ?? []);
  return html`${endpointId && html`<p class="crumbs"><a href="#/webhooks">← Webhooks</a></p>`}
    <${PageTitle}>${endpointId ? 'Webhook endpoint' : 'Webhooks'}</${PageTitle}>
    <${SecretOnce} secret=${secret} />
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} what="Loading endpoints" />` : null}
    ${data && !endpointId && data.data.length === 0 ? html`<p>No endpoint yet: events are recorded but not sent anywhere.</p>` : null}
    ${data && endpointId && shown.length === 0 ? html`<p>No such endpoint.</p>` : null}
    <div class="endpoints">${shown.map((endpoint) => html`<${EndpointRow} key=${endpoint.id} endpoint=${endpoint} onChanged=${reload} onSecret=${setSecret} />`)}</div>
    ${!endpointId && html`<${CreateEndpoint} onCreated=${(created) => {
      setSecret(created.secret);
      reload();
    }} />`}
    <${EventList} endpointId=${endpointId} refresh=${data} />`;
}

/** The body of every delivery of an event: what the endpoint receives (signed with X-Glomopay-Signature). */
const requestBodyOf = (event) => JSON.stringify({ entity_type: event.entity_type, event_type: event.event_type, data: event.data }, null, 2);

function Attempt({ attempt, index }) {
  return html`<li class="attempt" data-trigger=${attempt.trigger}>
    <p><strong>Attempt ${index + 1}</strong> (${attempt.trigger}) at ${formatTime(attempt.attempted_at)} ·
      ${attempt.status_code === null ? html`<span class="status" data-status="failed">no answer</span>`
        : html`<span class="status" data-status=${attempt.status_code < 300 ? 'success' : 'failed'}>HTTP ${attempt.status_code}</span>`}
      · ${attempt.latency_ms} ms</p>
    ${attempt.error && html`<p class="error-note">${attempt.error}</p>`}
    <details>
      <summary>Response</summary>
      <pre><code>${attempt.response_snippet ?? '(no body)'}</code></pre>
    </details>
  </li>`;
}

export function EventDetail({ id }) {
  const { data, error, loading, reload } = useLoad(() => api.get(`/api/v1/events/${encodeURIComponent(id)}`), [id]);
  const [failure, setFailure] = useState(null);
  const [note, setNote] = useState('');
  const redeliver = async (endpointId) => {
    setFailure(null);
    setNote('');
    try {
      const answer = await api.post(`/api/v1/events/${encodeURIComponent(id)}/redeliver`, endpointId ? { endpoint_id: endpointId } : {});
      setNote(`Redelivery queued for ${answer.deliveries.length} ${answer.deliveries.length === 1 ? 'endpoint' : 'endpoints'}.`);
      // The attempt runs on the job runner: look again shortly.
      window.setTimeout(reload, 1000);
    } catch (problem) {
      setFailure(problem);
    }
  };
  return html`<p class="crumbs"><a href="#/webhooks">← Webhooks</a></p>
    <${PageTitle}>Event <code>${id}</code></${PageTitle}>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} />` : null}
    ${data && html`
      <p><code>${data.entity_type}.${data.event_type}</code> at ${formatTime(data.created_at)}
        ${data.entity_id && html` · <span>${data.entity_id}</span>`}</p>
      <div class="actions">
        <button type="button" onClick=${reload} class="outline">Refresh</button>
        ${data.deliveries.length > 0 && html`<button type="button" id="redeliver-all" onClick=${() => redeliver()}>Redeliver</button>`}
      </div>
      ${note && html`<p role="status" class="notice">${note}</p>`}
      <${ErrorNote} error=${failure} />
      <section aria-labelledby="request-title">
        <h2 id="request-title">Request body</h2>
        <pre><code>${requestBodyOf(data)}</code></pre>
      </section>
      <section aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Deliveries</h2>
        ${data.deliveries.length === 0 ? html`<p>No endpoint was subscribed to this event.</p>` : data.deliveries.map((delivery) => html`
          <article class="delivery" data-delivery-id=${delivery.id}>
            <header>
              <a href=${href('webhooks', delivery.endpoint_id)}><code>${delivery.endpoint_id}</code></a>
              <span class="status" data-status=${delivery.status}>${delivery.status}</span>
              <small>${delivery.attempts} scheduled ${delivery.attempts === 1 ? 'attempt' : 'attempts'}${delivery.next_attempt_at ? `, next at ${formatTime(delivery.next_attempt_at)}` : ''}</small>
            </header>
            <ol class="attempts">${delivery.attempt_log.map((attempt, index) => html`<${Attempt} attempt=${attempt} index=${index} />`)}</ol>
            ${delivery.attempt_log.length === 0 && html`<p>No attempt yet.</p>`}
            <button type="button" class="outline" onClick=${() => redeliver(delivery.endpoint_id)}>Redeliver to this endpoint</button>
          </article>`)}
      </section>`}`;
}
