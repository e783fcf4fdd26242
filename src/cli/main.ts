// The `glomo` command-line tool: a thin client of the operator API (/admin/v1).
// `run()` holds all the logic and returns the exit code; src/cli/index.ts wires it to the process.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { currencyExponent, normalizeCurrency } from '../core/iso.js';
import { backupCommand, restoreCommand } from './backup.js';

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

export type FetchImpl = typeof fetch;

export const DEFAULT_URL = 'http://127.0.0.1:4000';
const REQUEST_TIMEOUT_MS = 30_000;
const KEY_ENVS = ['sandbox', 'production', 'all'] as const;
type KeyEnv = (typeof KEY_ENVS)[number];
const LEDGER_ENVS = ['sandbox', 'production'] as const;
const DIRECTIONS = ['credit', 'debit'] as const;
/** Exit code of `glomo ledger verify` when the server answers that an invariant fails. */
export const EXIT_LEDGER_INCONSISTENT = 3;

export const USAGE = `glomo: command-line client of the glomo-server operator API (/admin/v1)

Usage:
  glomo merchant create --name NAME [--email EMAIL]
      Create a merchant with sandbox and production keys (the secret keys are shown only once).
  glomo merchant list [--page N] [--per-page N]
      List merchants, newest first.
  glomo merchant show ID
      Show one merchant.
  glomo merchant keys revoke ID [--env sandbox|production|all]
      Revoke a merchant's keys at once (default: all environments).
  glomo merchant keys reissue ID [--env sandbox|production|all]
      Revoke a merchant's keys and issue new ones (default: all environments).
  glomo merchant adjust ID --direction credit|debit --currency CODE --amount N --reason TEXT [--env sandbox|production]
      Credit or debit the merchant's available balance (default env: sandbox). N is in minor units of the
      currency: --currency USD --amount 100000 is USD 1000.00. A debit beyond the balance is refused.
  glomo merchant adjustments ID [--env sandbox|production] [--page N] [--per-page N]
      List the merchant's adjustments, newest first.
  glomo merchant settlement-schedule ID --delay-days N --currencies CODE[,CODE...] | --off
      Settle automatically, once a day at 00:30 UTC of each environment's clock, the available funds of payments
      paid at least N days before (0 to 30) in each currency (USD, EUR, GBP, AED, SGD); --off switches it off.
  glomo merchant platform ID --on | --off
      Make the merchant a platform, which onboards child merchants and moves money between itself and them
      (--on), or not (--off; refused while it has child merchants).
  glomo clock show ID
      Show the merchant's sandbox test clock.
  glomo clock advance ID DURATION|TIME
      Move the merchant's sandbox clock forward by DURATION (e.g. 30d, 12h, 90m, 45s, 2w, 1d12h) or to TIME
      (ISO-8601, e.g. 2026-06-01T00:00:00Z), running everything that becomes due on the way; prints what ran.
  glomo ledger verify [--merchant ID]
      Check the ledger's invariants (the whole ledger, or one merchant's accounts) and print each problem.
  glomo backup FILE [--force]
      Save a backup of the running embedded server (database, documents, credentials.json) to FILE, a tar file.
      --force overwrites FILE. On PostgreSQL the server refuses: use pg_dump (docs/operations.md).
  glomo restore FILE --data-dir DIR [--force]
      Offline, no server or token needed: restore a backup into DIR, which no running server may hold. DIR must be
      empty (or missing) unless --force, which replaces its database, documents and credentials.json.
  glomo help
      Show this text.

Global options:
  --url URL       Server address (default: $GLOMO_URL, else ${DEFAULT_URL})
  --token TOKEN   Operator token (default: $ADMIN_TOKEN)
  --json          Print the raw JSON response instead of the human format
  -h, --help      Show this text

Environment:
  GLOMO_URL       Server address, e.g. ${DEFAULT_URL}
  ADMIN_TOKEN     The server's operator token (required for every command but help and restore)

Exit codes: 0 success, 1 request failed (HTTP error or server unreachable), 2 usage error,
            3 ledger inconsistent (glomo ledger verify found a problem; also with --json).`;

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  email: { type: 'string' },
  page: { type: 'string' },
  'per-page': { type: 'string' },
  env: { type: 'string' },
  direction: { type: 'string' },
  currency: { type: 'string' },
  amount: { type: 'string' },
  reason: { type: 'string' },
  merchant: { type: 'string' },
  'data-dir': { type: 'string' },
  force: { type: 'boolean' },
  'delay-days': { type: 'string' },
  currencies: { type: 'string' },
  off: { type: 'boolean' },
  on: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

type OptionName = keyof typeof OPTIONS;
type Values = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

const GLOBAL_OPTIONS: readonly OptionName[] = ['url', 'token', 'json', 'help'];

class UsageError extends Error {}

/** A request the CLI will send, decided from the arguments alone. */
interface Command {
  /** Options the command accepts besides the global ones. */
  options: readonly OptionName[];
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  print(body: unknown, io: Io): void;
  /** The exit code of a successful answer (default 0): `ledger verify` answers 200 also when the ledger is not ok. */
  exitCode?(body: unknown): number;
}

export async function run(
  argv: string[],
  env: Record<string, string | undefined>,
  io: Io,
  fetchImpl: FetchImpl = fetch,
): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }) as {
      values: Values;
      positionals: string[];
    });
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }

  if (values.help || positionals.length === 0 || (positionals.length === 1 && positionals[0] === 'help')) {
    io.out(USAGE);
    return 0;
  }

  if (positionals[0] === 'backup' || positionals[0] === 'restore') return backupOrRestore(positionals, values, env, io, fetchImpl);

  let command: Command;
  let baseUrl: URL;
  try {
    command = parseCommand(positionals, values);
    const unexpected = (Object.keys(values) as OptionName[]).filter(
      (name) => values[name] !== undefined && !GLOBAL_OPTIONS.includes(name) && !command.options.includes(name),
    );
    if (unexpected.length > 0) {
      throw new UsageError(`Option --${unexpected[0]} does not apply to 'glomo ${positionals.slice(0, 3).join(' ')}'`);
    }
    baseUrl = parseBaseUrl(values.url ?? nonBlank(env.GLOMO_URL) ?? DEFAULT_URL);
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message);
    throw error;
  }

  const token = operatorToken(values.token, env, io);
  if (!token) return 2;

  const url = new URL(`admin/v1${command.path}`, baseUrl);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
  if (command.body !== undefined) headers['content-type'] = 'application/json';

  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(url, {
      method: command.method,
      headers,
      body: command.body === undefined ? undefined : JSON.stringify(command.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    io.err(`Cannot reach glomo-server at ${baseUrl.href.replace(/\/$/, '')}: ${networkReason(error)}`);
    return 1;
  }

  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }

  if (!response.ok) {
    io.err(`Error ${response.status}: ${errorMessage(response, body, text)}`);
    return 1;
  }
  if (body === undefined || body === null || typeof body !== 'object') {
    io.err(`glomo: unexpected answer from ${url.origin} (HTTP ${response.status}, not a JSON object)`);
    return 1;
  }
  if (values.json) io.out(JSON.stringify(body, null, 2));
  else command.print(body, io);
  return command.exitCode?.(body) ?? 0;
}

/** `glomo backup FILE` (a download, not JSON) and `glomo restore FILE --data-dir DIR` (offline: no server, no token). */
async function backupOrRestore(
  positionals: string[],
  values: Values,
  env: Record<string, string | undefined>,
  io: Io,
  fetchImpl: FetchImpl,
): Promise<number> {
  const restore = positionals[0] === 'restore';
  const synopsis = restore ? 'restore FILE --data-dir DIR [--force]' : 'backup FILE [--force]';
  const allowed: readonly OptionName[] = restore ? ['data-dir', 'force', 'help'] : ['url', 'token', 'force', 'help'];
  let file: string;
  let baseUrl: URL | undefined;
  try {
    requireArgs(positionals, 2, synopsis);
    file = positionals[1]!;
    const unexpected = (Object.keys(values) as OptionName[]).filter((name) => values[name] !== undefined && !allowed.includes(name));
    if (unexpected.length > 0) throw new UsageError(`Option --${unexpected[0]} does not apply to 'glomo ${positionals[0]}'`);
    if (restore) {
      const dataDir = required('data-dir', values['data-dir'], synopsis);
      return await restoreCommand({ file, dataDir, force: values.force === true }, io);
    }
    baseUrl = parseBaseUrl(values.url ?? nonBlank(env.GLOMO_URL) ?? DEFAULT_URL);
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message);
    throw error;
  }
  const token = operatorToken(values.token, env, io);
  if (!token) return 2;
  return backupCommand({ file, force: values.force === true, url: baseUrl, token }, io, fetchImpl);
}

function usageError(io: Io, message: string): number {
  io.err(`glomo: ${message}\n\n${USAGE}`);
  return 2;
}

/** The operator token from --token or ADMIN_TOKEN; says what to do when there is none. */
function operatorToken(flag: string | undefined, env: Record<string, string | undefined>, io: Io): string | undefined {
  const token = nonBlank(flag) ?? nonBlank(env.ADMIN_TOKEN);
  if (!token) io.err('glomo: no operator token. Set ADMIN_TOKEN (the server\'s ADMIN_TOKEN) or pass --token TOKEN.');
  return token;
}

function nonBlank(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`Invalid server URL '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`Server URL must be http or https, got '${raw}'`);
  // Resolve admin paths under any path prefix the server is mounted at (e.g. behind a proxy).
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

function positiveInteger(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--${name} must be a positive integer, got '${raw}'`);
  return Number(raw);
}

function oneOf<T extends string>(name: string, allowed: readonly T[], raw: string): T {
  if (!(allowed as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
  return raw as T;
}

function required(name: string, raw: string | undefined, synopsis: string): string {
  const value = nonBlank(raw);
  if (value === undefined) throw new UsageError(`Missing required option --${name}: glomo ${synopsis}`);
  return value;
}

/** An amount in minor units as the API takes it: a JSON integer, so at most 2^53 - 1 (larger would be rounded). */
function minorUnits(raw: string): number {
  if (!/^\d+$/.test(raw) || BigInt(raw) < 1n || BigInt(raw) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new UsageError(`--amount must be a whole number of minor units from 1 to ${Number.MAX_SAFE_INTEGER}, got '${raw}'`);
  }
  return Number(raw);
}

function pageQuery(values: Values, query = new URLSearchParams()): string {
  const page = positiveInteger('page', values.page);
  const perPage = positiveInteger('per-page', values['per-page']);
  if (page !== undefined) query.set('page', String(page));
  if (perPage !== undefined) query.set('per_page', String(perPage));
  return query.size > 0 ? `?${query.toString()}` : '';
}

function keyEnv(raw: string | undefined): KeyEnv {
  if (raw === undefined) return 'all';
  if (!(KEY_ENVS as readonly string[]).includes(raw)) throw new UsageError(`--env must be one of ${KEY_ENVS.join(', ')}, got '${raw}'`);
  return raw as KeyEnv;
}

function requireArgs(positionals: string[], count: number, synopsis: string): void {
  if (positionals.length < count) throw new UsageError(`Missing argument: glomo ${synopsis}`);
  if (positionals.length > count) throw new UsageError(`Unexpected argument '${positionals[count]}': glomo ${synopsis}`);
}

function parseCommand(positionals: string[], values: Values): Command {
  const [group, action, ...rest] = positionals;
  if (group === 'ledger') return parseLedgerCommand(positionals, values);
  if (group === 'clock') return parseClockCommand(positionals);
  if (group !== 'merchant') throw new UsageError(`Unknown command '${positionals.join(' ')}'`);

  switch (action) {
    case 'create': {
      requireArgs(positionals, 2, 'merchant create --name NAME [--email EMAIL]');
      const name = nonBlank(values.name);
      if (!name) throw new UsageError('Missing required option --name NAME');
      const email = nonBlank(values.email);
      return { options: ['name', 'email'], method: 'POST', path: '/merchants', body: { name, ...(email ? { email } : {}) }, print: printCreated };
    }
    case 'list': {
      requireArgs(positionals, 2, 'merchant list [--page N] [--per-page N]');
      return { options: ['page', 'per-page'], method: 'GET', path: `/merchants${pageQuery(values)}`, print: printList };
    }
    case 'show': {
      requireArgs(positionals, 3, 'merchant show ID');
      return { options: [], method: 'GET', path: `/merchants/${encodeURIComponent(rest[0]!)}`, print: printMerchant };
    }
    case 'keys': {
      const [operation] = rest;
      if (operation !== 'revoke' && operation !== 'reissue') {
        throw new UsageError(operation === undefined ? 'Missing command: glomo merchant keys revoke|reissue ID' : `Unknown command '${positionals.join(' ')}'`);
      }
      requireArgs(positionals, 4, `merchant keys ${operation} ID [--env sandbox|production|all]`);
      const env = keyEnv(values.env);
      return {
        options: ['env'],
        method: 'POST',
        path: `/merchants/${encodeURIComponent(rest[1]!)}/keys/${operation}`,
        body: { env },
        print: (body, io) => printKeysResult(body, io, operation, env),
      };
    }
    case 'adjust': {
      const synopsis = 'merchant adjust ID --direction credit|debit --currency CODE --amount N --reason TEXT [--env sandbox|production]';
      requireArgs(positionals, 3, synopsis);
      const direction = oneOf('direction', DIRECTIONS, required('direction', values.direction, synopsis));
      const currency = required('currency', values.currency, synopsis);
      const amount = minorUnits(required('amount', values.amount, synopsis));
      const reason = required('reason', values.reason, synopsis);
      const env = values.env === undefined ? undefined : oneOf('env', LEDGER_ENVS, values.env);
      return {
        options: ['direction', 'currency', 'amount', 'reason', 'env'],
        method: 'POST',
        path: `/merchants/${encodeURIComponent(rest[0]!)}/adjustments`,
        body: { ...(env ? { env } : {}), direction, currency, amount, reason },
        print: printAdjustment,
      };
    }
    case 'adjustments': {
      requireArgs(positionals, 3, 'merchant adjustments ID [--env sandbox|production] [--page N] [--per-page N]');
      const query = new URLSearchParams();
      if (values.env !== undefined) query.set('env', oneOf('env', LEDGER_ENVS, values.env));
      return {
        options: ['env', 'page', 'per-page'],
        method: 'GET',
        path: `/merchants/${encodeURIComponent(rest[0]!)}/adjustments${pageQuery(values, query)}`,
        print: printAdjustments,
      };
    }
    case 'settlement-schedule': {
      requireArgs(positionals, 3, SCHEDULE_SYNOPSIS);
      return {
        options: ['delay-days', 'currencies', 'off'],
        method: 'PATCH',
        path: `/merchants/${encodeURIComponent(rest[0]!)}`,
        body: { settlement_schedule: settlementSchedule(values) },
        print: printMerchant,
      };
    }
    case 'platform': {
      const synopsis = 'merchant platform ID --on | --off';
      requireArgs(positionals, 3, synopsis);
      if (Boolean(values.on) === Boolean(values.off)) throw new UsageError(`Give exactly one of --on and --off: glomo ${synopsis}`);
      return {
        options: ['on', 'off'],
        method: 'PATCH',
        path: `/merchants/${encodeURIComponent(rest[0]!)}`,
        body: { is_platform: Boolean(values.on) },
        print: printMerchant,
      };
    }
    case undefined:
      throw new UsageError('Missing command: glomo merchant create|list|show|keys|adjust|adjustments|settlement-schedule|platform');
    default:
      throw new UsageError(`Unknown command '${positionals.join(' ')}'`);
  }
}

const SCHEDULE_SYNOPSIS = 'merchant settlement-schedule ID --delay-days N --currencies CODE[,CODE...] | --off';

/** The body's `settlement_schedule`: null for --off, else the delay and currencies (the server checks the codes). */
function settlementSchedule(values: Values): { delay_days: number; currencies: string[] } | null {
  if (values.off) {
    if (values['delay-days'] !== undefined || values.currencies !== undefined) {
      throw new UsageError(`--off takes neither --delay-days nor --currencies: glomo ${SCHEDULE_SYNOPSIS}`);
    }
    return null;
  }
  const days = required('delay-days', values['delay-days'], SCHEDULE_SYNOPSIS);
  if (!/^\d{1,2}$/.test(days)) throw new UsageError(`--delay-days must be a whole number of days from 0 to 30, got '${days}'`);
  const currencies = required('currencies', values.currencies, SCHEDULE_SYNOPSIS).split(',').map((code) => code.trim());
  if (currencies.some((code) => code === '')) throw new UsageError(`--currencies must be codes separated by commas (USD,EUR), got '${values.currencies}'`);
  return { delay_days: Number(days), currencies };
}

const DURATION_UNITS: Record<string, number> = { w: 7 * 86_400, d: 86_400, h: 3600, m: 60, s: 1 };

/** `30d`, `1d12h`, `90m`, `2w` as seconds; undefined for anything else. */
export function durationSeconds(text: string): number | undefined {
  if (!/^(\d+[wdhms])+$/.test(text)) return undefined;
  let total = 0;
  for (const [, count, unit] of text.matchAll(/(\d+)([wdhms])/g)) total += Number(count) * DURATION_UNITS[unit!]!;
  return Number.isSafeInteger(total) ? total : undefined;
}

function parseClockCommand(positionals: string[]): Command {
  const [, action, id, target] = positionals;
  if (action === undefined) throw new UsageError('Missing command: glomo clock show|advance ID');
  const path = (suffix = '') => `/merchants/${encodeURIComponent(id!)}/sandbox/clock${suffix}`;
  switch (action) {
    case 'show':
      requireArgs(positionals, 3, 'clock show ID');
      return { options: [], method: 'GET', path: path(), print: printClock };
    case 'advance': {
      const synopsis = 'clock advance ID DURATION|TIME';
      requireArgs(positionals, 4, synopsis);
      const seconds = durationSeconds(target!);
      let body: Record<string, unknown>;
      if (seconds !== undefined) body = { seconds };
      else if (/^\d{4}-\d{2}-\d{2}T/.test(target!) && Number.isFinite(Date.parse(target!))) body = { to: target };
      else throw new UsageError(`'${target}' is neither a duration (30d, 12h, 90m, 45s, 2w, 1d12h) nor an ISO-8601 time`);
      return { options: [], method: 'POST', path: path('/advance'), body, print: printClock };
    }
    default:
      throw new UsageError(`Unknown command '${positionals.join(' ')}'`);
  }
}

function parseLedgerCommand(positionals: string[], values: Values): Command {
  const [, action] = positionals;
  if (action === undefined) throw new UsageError('Missing command: glomo ledger verify');
  if (action !== 'verify') throw new UsageError(`Unknown command '${positionals.join(' ')}'`);
  requireArgs(positionals, 2, 'ledger verify [--merchant ID]');
  const query = new URLSearchParams();
  if (values.merchant !== undefined) query.set('merchant_id', required('merchant', values.merchant, 'ledger verify [--merchant ID]'));
  const search = query.size > 0 ? `?${query.toString()}` : '';
  return {
    options: ['merchant'],
    method: 'GET',
    path: `/ledger/verify${search}`,
    print: printLedgerReport,
    exitCode: (body) => {
      const ok = (body as { ok?: unknown }).ok;
      return ok === true ? 0 : ok === false ? EXIT_LEDGER_INCONSISTENT : 1;
    },
  };
}

function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  // undici's fetch throws TypeError('fetch failed') with the socket error as its cause.
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}

function errorMessage(response: Response, body: unknown, text: string): string {
  if (body && typeof body === 'object') {
    const { message, error } = body as { message?: unknown; error?: unknown };
    if (typeof message === 'string' && message !== '') return message;
    if (typeof error === 'string' && error !== '') return error;
  }
  const snippet = text.trim().slice(0, 200);
  return snippet || response.statusText || 'request failed';
}

// ---- human output ----------------------------------------------------------------------------------------

/** Strips control characters so server data cannot drive the terminal. */
function clean(value: unknown): string {
  if (value === undefined || value === null) return '';
  // eslint-disable-next-line no-control-regex
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

function fields(rows: Array<[string, unknown]>, indent = '  '): string {
  const shown = rows.filter(([, value]) => value !== undefined && value !== null && value !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${indent}${`${label}:`.padEnd(width + 2)}${clean(value)}`).join('\n');
}

interface MerchantJson {
  id?: string;
  name?: string;
  email?: string;
  status?: string;
  settlement_schedule?: { delay_days?: number; currencies?: string[] } | null;
  is_platform?: boolean;
  owner_merchant_id?: string;
  owner_env?: string;
  onboarding_status?: string;
  created_at?: string;
  updated_at?: string;
}

/** `daily, 2 days after payment: USD, EUR`, or `off`; nothing when the answer has no such field. */
function scheduleText(schedule: MerchantJson['settlement_schedule']): string | undefined {
  if (schedule === undefined) return undefined;
  if (schedule === null) return 'off';
  const days = schedule.delay_days ?? 0;
  return `daily, ${days} day${days === 1 ? '' : 's'} after payment: ${(schedule.currencies ?? []).join(', ')}`;
}

function merchantFields(merchant: MerchantJson): string {
  return fields([
    ['id', merchant.id],
    ['name', merchant.name],
    ['email', merchant.email],
    ['status', merchant.status],
    ['settlement', scheduleText(merchant.settlement_schedule)],
    ['platform', merchant.is_platform === undefined ? undefined : merchant.is_platform ? 'yes' : 'no'],
    ['owner', merchant.owner_merchant_id === undefined ? undefined : `${merchant.owner_merchant_id} (${merchant.owner_env ?? '?'}, onboarding ${merchant.onboarding_status ?? '?'})`],
    ['created_at', merchant.created_at],
    ['updated_at', merchant.updated_at],
  ]);
}

function keyBlock(label: string, keys: { secret_key?: string; public_key?: string } | undefined): string {
  return `${label} keys\n${fields([
    ['secret key', keys?.secret_key],
    ['publishable key', keys?.public_key],
  ])}`;
}

function printCreated(body: unknown, io: Io): void {
  const merchant = body as MerchantJson & {
    secret_key?: string;
    public_key?: string;
    production_secret_key?: string;
    production_public_key?: string;
  };
  io.out(
    [
      `Created merchant ${clean(merchant.id)}`,
      merchantFields(merchant),
      '',
      keyBlock('Sandbox', { secret_key: merchant.secret_key, public_key: merchant.public_key }),
      keyBlock('Production', { secret_key: merchant.production_secret_key, public_key: merchant.production_public_key }),
      '',
      'Store the secret keys now: they cannot be shown again (reissue them with `glomo merchant keys reissue`).',
    ].join('\n'),
  );
}

function printMerchant(body: unknown, io: Io): void {
  io.out(`Merchant ${clean((body as MerchantJson).id)}\n${merchantFields(body as MerchantJson)}`);
}

interface PageMetaJson {
  current?: number;
  next?: number | null;
  per_page?: number;
  pages?: number;
  count?: number;
}

/** A page of a list as a table (the last column unpadded) followed by a page line. */
function printPage<T>(body: unknown, io: Io, noun: string, columns: ReadonlyArray<[string, (item: T) => unknown]>): void {
  const { data = [], page_meta: meta = {} } = body as { data?: T[]; page_meta?: PageMetaJson };
  const lines: string[] = [];
  if (data.length === 0) {
    lines.push(meta.count ? `No ${noun}s on this page.` : `No ${noun}s.`);
  } else {
    const rows = data.map((item) => columns.map(([, cell]) => clean(cell(item))));
    const header = columns.map(([label]) => label.toUpperCase());
    const widths = columns.map((_, i) => Math.max(header[i]!.length, ...rows.map((row) => row[i]!.length)));
    const format = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
    lines.push(format(header), ...rows.map(format));
  }
  const count = meta.count ?? data.length;
  const pages = Math.max(meta.pages ?? 1, 1);
  let info = `Page ${meta.current ?? 1} of ${pages} (${plural(count, noun)}, ${meta.per_page ?? data.length} per page)`;
  if (meta.next) info += `; next: --page ${meta.next}`;
  lines.push('', info);
  io.out(lines.join('\n'));
}

function printList(body: unknown, io: Io): void {
  const columns = (['id', 'name', 'email', 'status', 'created_at'] as const).map(
    (column) => [column, (merchant: MerchantJson) => merchant[column]] as [string, (merchant: MerchantJson) => unknown],
  );
  printPage(body, io, 'merchant', columns);
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function printKeysResult(body: unknown, io: Io, operation: 'revoke' | 'reissue', env: KeyEnv): void {
  const result = body as { merchant_id?: string; revoked?: number; keys?: Record<string, { secret_key?: string; public_key?: string }> };
  const revoked = result.revoked ?? 0;
  const scope = env === 'all' ? 'sandbox and production' : env;
  const lines = [`Revoked ${revoked} key${revoked === 1 ? '' : 's'} of merchant ${clean(result.merchant_id)} (${scope}).`];
  if (operation === 'reissue') {
    lines.push('New keys:');
    for (const [name, keys] of Object.entries(result.keys ?? {})) {
      lines.push(keyBlock(name.charAt(0).toUpperCase() + name.slice(1), keys));
    }
    lines.push('', 'Store the secret keys now: they cannot be shown again.');
  }
  io.out(lines.join('\n'));
}

interface AdjustmentJson {
  id?: string;
  merchant_id?: string;
  env?: string;
  direction?: string;
  currency?: string;
  amount?: number;
  reason?: string;
  journal_id?: string;
  created_at?: string;
}

/** Minor units as a decimal amount of the currency (`100000` USD -> `1000.00`), when the currency is known. */
function majorUnits(amount: unknown, currency: unknown): string | undefined {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || typeof currency !== 'string') return undefined;
  const code = normalizeCurrency(currency);
  if (code === undefined || code !== currency) return undefined;
  const exponent = currencyExponent(code);
  const digits = BigInt(Math.abs(amount)).toString().padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return `${amount < 0 ? '-' : ''}${whole}`;
}

function amountText(adjustment: AdjustmentJson): string {
  const major = majorUnits(adjustment.amount, adjustment.currency);
  return major === undefined ? clean(adjustment.amount) : `${clean(adjustment.amount)} (${clean(adjustment.currency)} ${major})`;
}

function printAdjustment(body: unknown, io: Io): void {
  const adjustment = body as AdjustmentJson;
  const verb = adjustment.direction === 'debit' ? 'Debited' : 'Credited';
  io.out(
    [
      `${verb} merchant ${clean(adjustment.merchant_id)} (${clean(adjustment.env)}): adjustment ${clean(adjustment.id)}`,
      fields([
        ['id', adjustment.id],
        ['merchant_id', adjustment.merchant_id],
        ['env', adjustment.env],
        ['direction', adjustment.direction],
        ['currency', adjustment.currency],
        ['amount', amountText(adjustment)],
        ['reason', adjustment.reason],
        ['journal_id', adjustment.journal_id],
        ['created_at', adjustment.created_at],
      ]),
    ].join('\n'),
  );
}

function printAdjustments(body: unknown, io: Io): void {
  printPage<AdjustmentJson>(body, io, 'adjustment', [
    ['id', (a) => a.id],
    ['env', (a) => a.env],
    ['direction', (a) => a.direction],
    ['currency', (a) => a.currency],
    ['amount', (a) => a.amount],
    ['created_at', (a) => a.created_at],
    ['reason', (a) => a.reason],
  ]);
}

interface LedgerReportJson {
  ok?: boolean;
  scope?: { merchant_id?: string | null };
  counts?: { accounts?: number; journals?: number; entries?: number; holds?: number };
  problems?: Array<{ check?: string; detail?: string; account_id?: string; journal_id?: string; hold_id?: string }>;
}

interface ClockJson {
  now?: string;
  offset_seconds?: number;
  updated_at?: string;
  ran?: Record<string, number>;
}

function printClock(body: unknown, io: Io): void {
  const clock = body as ClockJson;
  const offset = clock.offset_seconds ?? 0;
  const days = Math.floor(offset / 86_400);
  const lines = [
    `Sandbox clock: ${clean(clock.now)}`,
    `  ahead of real time by ${offset} s${days > 0 ? ` (${days} days)` : ''}, last moved ${clean(clock.updated_at)}`,
  ];
  if (clock.ran) {
    const ran = Object.entries(clock.ran);
    lines.push(ran.length === 0 ? '  nothing was due on the way' : `  ran: ${ran.map(([kind, n]) => `${clean(kind)} ${n}`).join(', ')}`);
  }
  io.out(lines.join('\n'));
}

function printLedgerReport(body: unknown, io: Io): void {
  const report = body as LedgerReportJson;
  if (typeof report.ok !== 'boolean') {
    io.err('glomo: unexpected answer from the server (no ok field in the ledger report)');
    return;
  }
  const counts = report.counts ?? {};
  const summary = [
    plural(counts.accounts ?? 0, 'account'),
    plural(counts.journals ?? 0, 'journal'),
    plural(counts.entries ?? 0, 'entry').replace(/entrys$/, 'entries'),
    plural(counts.holds ?? 0, 'hold'),
  ].join(', ');
  if (report.ok) {
    io.out(`ledger OK: ${summary}`);
    return;
  }
  const problems = report.problems ?? [];
  const lines = [`ledger INCONSISTENT: ${plural(problems.length, 'problem')} (${summary})`];
  for (const problem of problems) {
    const detail = clean(problem.detail);
    // The detail names what failed; any id it leaves out is added, so every line says where to look.
    const refs = ([['account', problem.account_id], ['journal', problem.journal_id], ['hold', problem.hold_id]] as const)
      .filter(([, id]) => id && !detail.includes(id))
      .map(([label, id]) => `${label} ${clean(id)}`);
    lines.push(`${clean(problem.check)}: ${detail}${refs.length > 0 ? ` [${refs.join(', ')}]` : ''}`);
  }
  io.out(lines.join('\n'));
}
