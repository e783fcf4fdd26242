// Mail: the messages this server sent for the merchant (GET /api/v1/mails). Shown generically (id, to, subject,
// kind, status, created_at and what it is about) from `data` or `items`; a server without the route answers 404:
// "not available".
import { api, ErrorNote, formatTime, href, html, Loading, PageTitle, plain, useLoad } from './lib.js';
import { resourceOfId } from './resources.js';

const COLUMNS = ['id', 'to', 'subject', 'kind', 'status', 'created_at', 'related_id'];

function MailCell({ row, column }) {
  const value = row[column];
  if (column === 'created_at') return formatTime(value);
  if (column === 'related_id' && resourceOfId(value)) return html`<a href=${href(resourceOfId(value), value)}>${value}</a>`;
  return plain(Array.isArray(value) ? value.join(', ') : value);
}

export function MailPage() {
  const { data, error, loading } = useLoad(() => api.get('/api/v1/mails').catch((failure) => {
    if (failure.status === 404) return { unavailable: true };
    throw failure;
  }), []);
  const rows = data && !data.unavailable ? (Array.isArray(data) ? data : data.data ?? data.items ?? []) : [];
  return html`<${PageTitle}>Mail</${PageTitle}>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} />` : null}
    ${data?.unavailable && html`<p class="notice" id="mail-unavailable">Mail is not available on this server.</p>`}
    ${data && !data.unavailable && rows.length === 0 ? html`<p>No mail sent yet.</p>` : null}
    ${rows.length > 0 && html`<div class="overflow-auto"><table class="striped mails">
      <thead><tr>${COLUMNS.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
      <tbody>${rows.map((row) => html`<tr data-id=${row.id}>${COLUMNS.map((c) => html`<td><${MailCell} row=${row} column=${c} /></td>`)}</tr>`)}</tbody>
    </table></div>`}`;
}
