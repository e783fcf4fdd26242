// A list page of one kind of object: its list operation's own filters (the query string of the route), a search by
// id that opens the object, the page's rows and the pager.
import { useState } from 'preact/hooks';
import { api, ErrorNote, formatMoney, formatTime, href, html, Loading, PageTitle, plain, useLoad, withQuery } from './lib.js';
import { AMOUNT_FIELDS, RESOURCES, resourceOfId } from './resources.js';

const PER_PAGE = 20;
const label = (name) => name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** One cell: amounts in their currency, times in UTC, ids as links to their object. */
export function Cell({ row, field }) {
  const value = row[field];
  if (field in AMOUNT_FIELDS && typeof value === 'number') return formatMoney(value, row[AMOUNT_FIELDS[field]]);
  if (field.endsWith('_at') || field.endsWith('_date')) return value ? formatTime(value) : '—';
  const target = field === 'id' || field.endsWith('_id') ? resourceOfId(value) : undefined;
  if (target) return html`<a href=${href(target, value)}>${value}</a>`;
  if (field === 'status' && value) return html`<span class="status" data-status=${value}>${value}</span>`;
  return plain(value);
}

function Filters({ name, query }) {
  const resource = RESOURCES[name];
  const [values, setValues] = useState(() => Object.fromEntries(resource.filters.map((f) => [f.name, query.get(f.name) ?? ''])));
  const [id, setId] = useState('');
  const apply = (event) => {
    event.preventDefault();
    window.location.hash = withQuery(`#/${name}`, values);
  };
  const open = (event) => {
    event.preventDefault();
    if (id.trim()) window.location.hash = href(name, id.trim());
  };
  return html`<div class="list-tools">
    <form class="find" onSubmit=${open} aria-label=${`Find ${resource.title.toLowerCase()} by id`}>
      <label for=${`${name}-find`}>Find by id</label>
      <fieldset role="group">
        <input id=${`${name}-find`} type="search" placeholder=${`${resource.prefix}_…`} value=${id} onInput=${(e) => setId(e.currentTarget.value)} />
        <button type="submit">Open</button>
      </fieldset>
    </form>
    ${resource.filters.length > 0 && html`<form class="filters" onSubmit=${apply} aria-label="Filters">
      <div class="filter-fields">
        ${resource.filters.map((filter) => html`<label for=${`filter-${filter.name}`}>${label(filter.name)}
          ${filter.options ? html`<select id=${`filter-${filter.name}`} name=${filter.name} value=${values[filter.name]}
              onChange=${(e) => setValues({ ...values, [filter.name]: e.currentTarget.value })}>
              <option value="">Any</option>
              ${filter.options.map((option) => html`<option value=${option}>${option}</option>`)}
            </select>`
            : html`<input id=${`filter-${filter.name}`} name=${filter.name} value=${values[filter.name]}
              onInput=${(e) => setValues({ ...values, [filter.name]: e.currentTarget.value })} />`}
        </label>`)}
      </div>
      <div class="filter-actions">
        <button type="submit">Apply filters</button>
        <a href=${`#/${name}`} role="button" class="secondary outline">Clear</a>
      </div>
    </form>`}
  </div>`;
}

export function ListPage({ name, query }) {
  const resource = RESOURCES[name];
  const page = Number(query.get('page') ?? '1') || 1;
  const params = Object.fromEntries(resource.filters.map((f) => [f.name, query.get(f.name) ?? '']));
  const { data, error, loading } = useLoad(() => api.get(withQuery(resource.list, { ...params, page, per_page: PER_PAGE })), [name, query.toString()]);
  const idField = resource.idField ?? 'id';
  const pageHref = (n) => withQuery(`#/${name}`, { ...params, page: n });
  return html`<${PageTitle}>${resource.title}</${PageTitle}>
    <${Filters} name=${name} query=${query} />
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} />` : null}
    ${data && html`
      <p class="count" role="status">${data.page_meta.count} ${data.page_meta.count === 1 ? 'result' : 'results'}</p>
      ${data.data.length > 0 && html`<div class="overflow-auto"><table class="striped object-list" data-resource=${name}>
        <thead><tr>${resource.columns.map((column) => html`<th scope="col">${label(column)}</th>`)}</tr></thead>
        <tbody>${data.data.map((row) => html`<tr data-id=${row[idField]}>
          ${resource.columns.map((column) => html`<td>${column === idField
            ? html`<a href=${href(name, row[idField])}>${row[idField]}</a>` : html`<${Cell} row=${row} field=${column} />`}</td>`)}
        </tr>`)}</tbody>
      </table></div>`}
      <nav class="pager" aria-label="Pages">
        ${data.page_meta.previous ? html`<a href=${pageHref(data.page_meta.previous)}>← Newer</a>` : html`<span></span>`}
        <span>Page ${data.page_meta.current} of ${Math.max(data.page_meta.pages, 1)}</span>
        ${data.page_meta.next ? html`<a href=${pageHref(data.page_meta.next)}>Older →</a>` : html`<span></span>`}
      </nav>`}`;
}
