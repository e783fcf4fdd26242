// Webhook delivery under load on PostgreSQL (not a test; issue 12): `DATABASE_URL=postgres://... npm run bench:webhooks
// [-- --rate 150 --seconds 30 --drain 60 --slow-endpoint]` (or BENCH_RATE, BENCH_SECONDS, BENCH_DRAIN,
// BENCH_SLOW_ENDPOINT=1; BENCH_SERVER_ROOT runs the servers from another checkout, e.g. an older commit's).
//
// Two real server processes (src/main.ts, as `npm start` runs it, JOBS_POLL_MS at its default, RATE_LIMIT_PER_MINUTE=0,
// each its own DATA_DIR) on one throwaway database; one merchant whose webhook endpoint points at a receiver in this
// process that answers 200 at once and notes when the first request of each event (X-Glomopay-Event-Id) arrived.
// An open-loop load of `rate` API writes per second for `seconds`, alternating between the two processes, each sent
// at its time whether or not the earlier ones have answered: in turn POST /api/v1/customer (customer.created), POST
// /api/v1/orders (the order's `active` event) and POST /api/v1/payment/mock paying the oldest unpaid order (the
// payment's and the order's events), so that a third of the writes are each of what a merchant's integration does
// most. Event time is the event's created_at (read from the database at the end); the figure is event -> first
// request at the receiver, for every event recorded during the load. After the load, up to `drain` seconds for the
// rest to arrive: an event never delivered is a failure. `--slow-endpoint` adds a second endpoint (subscribed to
// everything) whose receiver accepts and never answers, so each of its attempts lasts WEBHOOK_TIMEOUT_MS (30 s):
// the figures are still the healthy endpoint's.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  benchCustomerBody, created, httpClient, launchServer, machineInfo, percentile, withThrowawayDatabase, type HttpClient, type ServerProcess,
} from './support.js';

interface Settings {
  rate: number;
  seconds: number;
  drain: number;
  slowEndpoint: boolean;
  /** The checkout whose src/main.ts the servers run. */
  serverRoot: string;
}

const ADMIN_TOKEN = 'bench-webhooks-admin-token';
const TARGET_P99_MS = 5000;
/** Sockets per server process: enough that an open-loop burst is not queued in the client. */
const SOCKETS_PER_SERVER = 64;

function settingsFromArgs(): Settings {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      rate: { type: 'string' }, seconds: { type: 'string' }, drain: { type: 'string' }, 'slow-endpoint': { type: 'boolean' },
    },
  });
  const number = (name: 'rate' | 'seconds' | 'drain', fallback: number) => {
    const text = values[name] ?? process.env[`BENCH_${name.toUpperCase()}`];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${text}`);
    return value;
  };
  const slowEnv = process.env.BENCH_SLOW_ENDPOINT;
  return {
    rate: number('rate', 150),
    seconds: number('seconds', 30),
    drain: number('drain', 60),
    slowEndpoint: values['slow-endpoint'] === true || (slowEnv !== undefined && slowEnv !== '' && slowEnv !== '0' && slowEnv !== 'false'),
    serverRoot: path.resolve(process.env.BENCH_SERVER_ROOT ?? path.resolve(import.meta.dirname, '..')),
  };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere or once it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, in parentheses): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU seconds of each PostgreSQL backend connected to `database`, by pid (their process titles name it). */
function backendCpu(database: string): Map<number, number> {
  const found = new Map<number, number>();
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const pid of pids) {
    try {
      const title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!title.startsWith('postgres:') || !title.includes(` ${database} `)) continue;
      const cpu = cpuSecondsOf(Number(pid));
      if (cpu !== undefined) found.set(Number(pid), cpu);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

interface Activity {
  commits: number;
  jobInserts: number;
  jobUpdates: number;
  jobScans: number;
}

/** The bench database's committed transactions and the jobs table's row inserts, updates and scans so far. */
async function databaseActivity(pool: pg.Pool): Promise<Activity> {
  const { rows: [row] } = await pool.query<Record<keyof Activity, string>>(`
    select (select xact_commit from pg_stat_database where datname = current_database())::text as "commits",
      n_tup_ins::text as "jobInserts", n_tup_upd::text as "jobUpdates", (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text as "jobScans"
    from pg_stat_user_tables where relname = 'jobs'`);
  return {
    commits: Number(row?.commits ?? NaN), jobInserts: Number(row?.jobInserts ?? NaN),
    jobUpdates: Number(row?.jobUpdates ?? NaN), jobScans: Number(row?.jobScans ?? NaN),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Listening {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<Listening> {
  const server = http.createServer(handler);
  // An attempt that the sender has given up on closes its socket; nothing of ours should outlive the bench.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Answers 200 at once; notes the arrival (ms since the epoch) of each event's first request. */
async function healthyReceiver() {
  const firstSeen = new Map<string, number>();
  let requests = 0;
  const listening = await listen((req, res) => {
    const at = Date.now();
    requests++;
    const eventId = String(req.headers['x-glomopay-event-id'] ?? '');
    if (!firstSeen.has(eventId)) firstSeen.set(eventId, at);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  return { ...listening, firstSeen, requests: () => requests };
}

/** Takes every request and never answers: the sender's timeout ends each attempt. Counts the ones open at once. */
async function deadReceiver() {
  let open = 0;
  let maxOpen = 0;
  let requests = 0;
  const listening = await listen((req) => {
    requests++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    req.resume();
    req.socket.once('close', () => open--);
  });
  return { ...listening, stats: () => ({ requests, open, maxOpen }) };
}


interface Order {
  id: string;
  amount: number;
  currency: string;
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

const ms = (value: number) => (Number.isNaN(value) ? '-' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
const line = (label: string, s: ReturnType<typeof summary>) =>
  `${label.padEnd(40)} n=${String(s.count).padStart(6)}  p50 ${ms(s.p50).padStart(8)}  p95 ${ms(s.p95).padStart(8)}  p99 ${ms(s.p99).padStart(8)}  max ${ms(s.max).padStart(8)}`;

async function bench(databaseUrl: string, settings: Settings): Promise<boolean> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // Dropping the database at the end terminates clients the pool is still closing: not an error here.
  pool.on('error', () => undefined);
  const servers: ServerProcess[] = [];
  const dataDirs: string[] = [];
  const clients: HttpClient[] = [];
  const healthy = await healthyReceiver();
  const dead = settings.slowEndpoint ? await deadReceiver() : undefined;
  try {
    const env = { DATABASE_URL: databaseUrl, ADMIN_TOKEN: ADMIN_TOKEN, RATE_LIMIT_PER_MINUTE: '0' };
    // One after the other: the first migrates the empty database, the second finds it ready.
    for (const name of ['a', 'b']) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `glomo-bench-webhooks-${name}-`));
      dataDirs.push(dataDir);
      const server = await launchServer({ ...env, DATA_DIR: dataDir }, settings.serverRoot);
      servers.push(server);
      await server.listening();
    }
    const urls = await Promise.all(servers.map((s) => s.listening()));
    for (const url of urls) clients.push(httpClient(url, SOCKETS_PER_SERVER));

    const { rows: [connections] } = await pool.query<{ n: string }>('select count(*)::text as n from pg_stat_activity where datname = current_database()');
    await machineInfo(
      pool,
      `2 server processes (${settings.serverRoot}), open loop ${settings.rate} writes/s for ${settings.seconds} s, drain up to ${settings.drain} s, ` +
        `1 merchant, healthy endpoint${settings.slowEndpoint ? ' + a dead endpoint (never answers)' : ''}; ${connections?.n ?? '?'} connections to the bench database after start`,
    );

    const merchant = created<{ id: string; secret_key: string }>(
      await clients[0]!.post('/admin/v1/merchants', { name: 'Webhook bench' }, { authorization: `Bearer ${ADMIN_TOKEN}` }),
      'POST /admin/v1/merchants',
    );
    const auth = { authorization: `Bearer ${merchant.secret_key}` };
    const endpoints = [created<{ id: string }>(await clients[0]!.post('/api/v1/webhook_endpoints', { url: healthy.url }, auth), 'POST /api/v1/webhook_endpoints')];
    if (dead) endpoints.push(created<{ id: string }>(await clients[0]!.post('/api/v1/webhook_endpoints', { url: dead.url }, auth), 'POST /api/v1/webhook_endpoints'));
    const healthyEndpointId = endpoints[0]!.id;

    // Warm-up (not measured): customers for the orders, through both processes, each delivered before the load.
    const customers: string[] = [];
    for (let i = 0; i < 20; i++) {
      customers.push(created<{ id: string }>(await clients[i % 2]!.post('/api/v1/customer', benchCustomerBody(i), auth), 'POST /api/v1/customer').id);
    }
    const warmDeadline = Date.now() + 30_000;
    while (healthy.firstSeen.size < customers.length && Date.now() < warmDeadline) await sleep(50);
    console.log(`warm-up: ${customers.length} customers, ${healthy.firstSeen.size} of their events delivered\n`);

    // The load: operation i is sent at start + i / rate, to process i mod 2.
    const unpaid: Order[] = [];
    const apiLatencies: number[] = [];
    const failures: string[] = [];
    let completed = 0;
    let sent = 0;
    const operation = async (i: number): Promise<void> => {
      const client = clients[i % 2]!;
      const kind = i % 3;
      const started = performance.now();
      try {
        if (kind === 0) {
          created(await client.post('/api/v1/customer', benchCustomerBody(1000 + i), auth), 'POST /api/v1/customer');
        } else if (kind === 2 && unpaid.length > 0) {
          const order = unpaid.shift()!;
          const payment = created<{ status: string }>(await client.post(
            '/api/v1/payment/mock', { payin_id: order.id, amount: order.amount, currency: order.currency, payment_method: 'BankTransfer' }, auth,
          ), 'POST /api/v1/payment/mock');
          if (payment.status !== 'success') throw new Error(`payment ${payment.status}`);
        } else {
          const customerId = customers[i % customers.length]!;
          unpaid.push(created<Order>(await client.post(
            '/api/v1/orders', { customer_id: customerId, currency: 'USD', amount: 10_000, payment_methods: ['bank_transfer'] }, auth,
          ), 'POST /api/v1/orders'));
        }
        completed++;
        apiLatencies.push(performance.now() - started);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    };

    const loadAtStart = os.loadavg()[0]!;
    const databaseName = new URL(databaseUrl).pathname.slice(1);
    const serverCpuAtStart = servers.map((server) => cpuSecondsOf(server.child.pid ?? -1) ?? NaN);
    const backendsAtStart = backendCpu(databaseName);
    const activityAtStart = await databaseActivity(pool);
    const backlog: Array<{ at: number; due: number; running: number; received: number }> = [];
    const loadStart = Date.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows: [row] } = await pool.query<{ due: number; running: number }>(
          `select count(*) filter (where status = 'queued' and run_at <= now())::int as due, count(*) filter (where status = 'running')::int as running from jobs`,
        );
        backlog.push({ at: (Date.now() - loadStart) / 1000, due: row?.due ?? 0, running: row?.running ?? 0, received: healthy.firstSeen.size });
        await sleep(1000);
      }
    })();

    const total = Math.round(settings.rate * settings.seconds);
    const inFlight: Promise<void>[] = [];
    const startedAt = performance.now();
    while (sent < total) {
      const now = performance.now();
      while (sent < total && startedAt + (sent * 1000) / settings.rate <= now) inFlight.push(operation(sent++));
      await sleep(2);
    }
    await Promise.all(inFlight);
    const loadSeconds = (performance.now() - startedAt) / 1000;
    const loadEnd = Date.now();

    // The drain: every event of the merchant recorded since the load began must reach the healthy receiver.
    const eventsSince = async () => (await pool.query<{ id: string; created_at: Date; kind: string }>(
      `select id, created_at, entity_type || '.' || event_type as kind from events where merchant_id = $1 and created_at >= $2`,
      [merchant.id, new Date(loadStart)],
    )).rows;
    const drainDeadline = Date.now() + settings.drain * 1000;
    let recorded = await eventsSince();
    while (recorded.some((e) => !healthy.firstSeen.has(e.id)) && Date.now() < drainDeadline) {
      await sleep(250);
      recorded = await eventsSince();
    }
    const drained = (Date.now() - loadEnd) / 1000;
    const serverCpu = servers.map((server, i) => (cpuSecondsOf(server.child.pid ?? -1) ?? NaN) - serverCpuAtStart[i]!);
    let postgresCpu = 0;
    for (const [pid, cpu] of backendCpu(databaseName)) postgresCpu += cpu - (backendsAtStart.get(pid) ?? 0);
    // The statistics collector reports with a delay of up to half a second.
    await sleep(1000);
    const activity = await databaseActivity(pool);
    sampling = false;
    await sampler;

    // What the servers saw: when each event's dispatch job finished and when the healthy endpoint's first attempt began.
    const { rows: serverSide } = await pool.query<{ event_id: string; dispatched: Date | null; attempted: Date | null }>(`
      select e.id as event_id,
        (select j.updated_at from jobs j where j.queue = 'webhooks.dispatch' and j.payload->>'eventId' = e.id and j.status = 'done' limit 1) as dispatched,
        (select min(a.attempted_at) from webhook_deliveries d join webhook_attempts a on a.delivery_id = d.id
          where d.event_id = e.id and d.endpoint_id = $2) as attempted
      from events e where e.merchant_id = $1 and e.created_at >= $3`, [merchant.id, healthyEndpointId, new Date(loadStart)]);

    const latencies: number[] = [];
    const missing: string[] = [];
    const kinds = new Map<string, number>();
    for (const event of recorded) {
      kinds.set(event.kind, (kinds.get(event.kind) ?? 0) + 1);
      const seen = healthy.firstSeen.get(event.id);
      if (seen === undefined) missing.push(event.id);
      else latencies.push(seen - event.created_at.getTime());
    }
    const createdAt = new Map(recorded.map((e) => [e.id, e.created_at.getTime()]));
    const toDispatched: number[] = [];
    const dispatchedToAttempt: number[] = [];
    const attemptToReceived: number[] = [];
    for (const row of serverSide) {
      const at = createdAt.get(row.event_id);
      if (at === undefined || !row.dispatched) continue;
      toDispatched.push(row.dispatched.getTime() - at);
      if (row.attempted) {
        dispatchedToAttempt.push(row.attempted.getTime() - row.dispatched.getTime());
        const seen = healthy.firstSeen.get(row.event_id);
        if (seen !== undefined) attemptToReceived.push(seen - row.attempted.getTime());
      }
    }

    const achieved = completed / loadSeconds;
    const api = summary(apiLatencies);
    console.log(`load:       ${completed} of ${total} writes answered 201 in ${loadSeconds.toFixed(1)} s = ${achieved.toFixed(1)} writes/s ` +
      `(target ${settings.rate}); ${failures.length} failed${failures.length ? ` (first: ${failures[0]})` : ''}`);
    console.log(line('API write latency', api));
    console.log(`events:     ${recorded.length} recorded during the load (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}), ` +
      `${(recorded.length / loadSeconds).toFixed(1)} /s; drain took ${drained.toFixed(1)} s`);
    const serverTotal = serverCpu.reduce((a, b) => a + b, 0);
    console.log(`CPU from the load's start to the end of the drain: servers ${serverCpu.map((c) => `${c.toFixed(1)} s`).join(' + ')}, ` +
      `PostgreSQL backends ${postgresCpu.toFixed(1)} s; per write ${((serverTotal / completed) * 1000).toFixed(1)} ms (servers) + ` +
      `${((postgresCpu / completed) * 1000).toFixed(1)} ms (PostgreSQL)`);
    const per = (name: keyof Activity) => ((activity[name] - activityAtStart[name]) / recorded.length).toFixed(1);
    console.log(`per event recorded: ${per('commits')} commits, jobs table ${per('jobInserts')} inserts, ${per('jobUpdates')} updates ` +
      `(claims, finishes, heartbeats, deferrals), ${per('jobScans')} scans; the bench's own sampling included`);
    console.log('job backlog (due and queued, running) during the run, every 5 s:');
    console.log('  ' + backlog.filter((_, i) => i % 5 === 0).map((b) => `${b.at.toFixed(0)}s ${b.due}/${b.running}`).join('  '));
    console.log(`  max due: ${Math.max(0, ...backlog.map((b) => b.due))}`);
    if (dead) {
      const stats = dead.stats();
      console.log(`dead endpoint: ${stats.requests} requests taken, at most ${stats.maxOpen} open at once (2 processes x WEBHOOK_ENDPOINT_CONCURRENCY)`);
    }
    console.log('');
    console.log(line('event -> dispatch job done (server)', summary(toDispatched)));
    console.log(line('dispatch done -> first attempt (server)', summary(dispatchedToAttempt)));
    console.log(line('first attempt -> received', summary(attemptToReceived)));
    const result = summary(latencies);
    console.log(line('event -> first request at the receiver', result));
    console.log(`load average (1 min) at the start and the end: ${loadAtStart.toFixed(1)}, ${os.loadavg()[0]!.toFixed(1)} (${os.cpus().length} CPUs)`);
    console.log(`never delivered: ${missing.length}${missing.length ? ` (e.g. ${missing.slice(0, 3).join(', ')})` : ''}`);

    const reasons: string[] = [];
    if (!(result.p99 < TARGET_P99_MS)) reasons.push(`p99 ${ms(result.p99)} >= ${TARGET_P99_MS / 1000} s`);
    if (missing.length > 0) reasons.push(`${missing.length} events never delivered`);
    if (achieved < settings.rate * 0.95) reasons.push(`the load reached only ${achieved.toFixed(1)} of ${settings.rate} writes/s`);
    if (failures.length > 0) reasons.push(`${failures.length} writes failed`);
    const ok = reasons.length === 0;
    console.log(`\n${ok ? 'PASS' : 'FAIL'}: event -> first delivery attempt p99 ${ms(result.p99)} (target < ${TARGET_P99_MS / 1000} s) at ` +
      `${achieved.toFixed(1)} writes/s${settings.slowEndpoint ? ', with a dead endpoint beside' : ''}${ok ? '' : `: ${reasons.join('; ')}`}`);
    return ok;
  } catch (error) {
    for (const [i, server] of servers.entries()) console.error(`--- server ${i} output ---\n${server.output().slice(-4000)}`);
    throw error;
  } finally {
    for (const client of clients) client.close();
    // The dead receiver first: its attempts then fail at once instead of holding the shutdown for their timeout.
    await dead?.close();
    await Promise.all(servers.map((s) => s.stop()));
    await healthy.close();
    await pool.end();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const settings = settingsFromArgs();
  await withThrowawayDatabase('bench:webhooks', (url) => bench(url, settings));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
