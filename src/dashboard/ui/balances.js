// Balances: per currency the available, pending (GET /api/v1/balances) and held amounts (the last point of the
// currency's GET /api/v1/balances/history), and a uPlot chart of one currency's balances after each ledger journal.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { api, currencyDigits, ErrorNote, formatMoney, formatTime, html, Loading, PageTitle, useLoad, withQuery } from './lib.js';

const HISTORY_POINTS = 500;

async function loadBalances() {
  const balances = await api.get('/api/v1/balances');
  const currencies = [...new Set([...balances.available, ...balances.pending].map((entry) => entry.currency))].sort();
  const histories = await Promise.all(currencies.map((currency) =>
    api.get(withQuery('/api/v1/balances/history', { currency, limit: HISTORY_POINTS }))));
  return currencies.map((currency, index) => {
    const points = histories[index].data;
    const amountOf = (list) => list.find((entry) => entry.currency === currency)?.amount ?? 0;
    return { currency, available: amountOf(balances.available), pending: amountOf(balances.pending), held: points.at(-1)?.held ?? 0, points };
  });
}

/**
 * The points to draw: a balance is a step that holds until the next journal. A history shorter than the limit is the
 * whole of it, so the balances were zero just before its first journal.
 */
function chartPoints(points) {
  if (points.length === 0 || points.length >= HISTORY_POINTS) return points;
  const before = new Date(Date.parse(points[0].at) - 1000).toISOString();
  return [{ at: before, available: 0, pending: 0, held: 0 }, ...points];
}

const SERIES = [
  { label: 'Available', key: 'available', stroke: '#1f7a4d' },
  { label: 'Pending', key: 'pending', stroke: '#b8860b' },
  { label: 'Held', key: 'held', stroke: '#8a3ffc' },
];

function BalanceChart({ row }) {
  const target = useRef(null);
  useEffect(() => {
    const element = target.current;
    if (!element || row.points.length === 0) return undefined;
    const scale = 10 ** currencyDigits(row.currency);
    const points = chartPoints(row.points);
    const data = [points.map((point) => Date.parse(point.at) / 1000), ...SERIES.map((s) => points.map((point) => point[s.key] / scale))];
    const stepped = uPlot.paths.stepped({ align: 1 });
    const size = () => ({ width: Math.max(element.clientWidth, 240), height: 260 });
    const chart = new uPlot({
      ...size(),
      series: [{}, ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, paths: stepped }))],
      axes: [{}, { size: 70 }],
      // A margin either side, so that one journal (or a burst within seconds) still reads as steps.
      scales: { x: { time: true, range: (_chart, min, max) => {
        const margin = Math.max((max - min) * 0.05, 5);
        return [min - margin, max + margin];
      } } },
    }, data, element);
    const resize = () => chart.setSize(size());
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.destroy();
    };
  }, [row]);
  if (row.points.length === 0) return html`<p>No ledger movement in ${row.currency} yet.</p>`;
  return html`<figure class="chart">
    <div ref=${target} class="chart-area" role="img" aria-label=${`${row.currency} balances after each of the last ${row.points.length} ledger journals`}></div>
    <figcaption>${row.currency} balance over time (after each ledger journal, oldest first)</figcaption>
    <details>
      <summary>The points as a table</summary>
      <div class="overflow-auto"><table class="striped">
        <thead><tr><th scope="col">At</th>${SERIES.map((s) => html`<th scope="col">${s.label}</th>`)}</tr></thead>
        <tbody>${row.points.slice(-50).reverse().map((point) => html`<tr>
          <td>${formatTime(point.at)}</td>${SERIES.map((s) => html`<td>${formatMoney(point[s.key], row.currency)}</td>`)}
        </tr>`)}</tbody>
      </table></div>
    </details>
  </figure>`;
}

export function Balances() {
  const { data, error, loading } = useLoad(loadBalances, []);
  const [selected, setSelected] = useState('');
  const rows = data ?? [];
  const row = rows.find((r) => r.currency === selected) ?? rows[0];
  return html`<${PageTitle}>Balances</${PageTitle}>
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} what="Loading balances" />` : null}
    ${data && rows.length === 0 ? html`<p>No balance yet: nothing has been paid in.</p>` : null}
    ${rows.length > 0 && html`
      <div class="overflow-auto"><table class="balances">
        <thead><tr><th scope="col">Currency</th><th scope="col">Available</th><th scope="col">Pending</th><th scope="col">Held</th></tr></thead>
        <tbody>${rows.map((r) => html`<tr data-currency=${r.currency}>
          <th scope="row">${r.currency}</th>
          <td class="amount available">${formatMoney(r.available, r.currency)}</td>
          <td class="amount pending">${formatMoney(r.pending, r.currency)}</td>
          <td class="amount held">${formatMoney(r.held, r.currency)}</td>
        </tr>`)}</tbody>
      </table></div>
      <label for="chart-currency">Chart currency
        <select id="chart-currency" value=${row.currency} onChange=${(event) => setSelected(event.currentTarget.value)}>
          ${rows.map((r) => html`<option value=${r.currency}>${r.currency}</option>`)}
        </select>
      </label>
      <${BalanceChart} key=${row.currency} row=${row} />`}`;
}
