// Every environment variable the server reads, parsed and typed in one place.
import { createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import { DEFAULT_API_AUDIENCE, DEFAULT_MCP_AUDIENCE } from './core/auth/audiences.js';
import { normalizeCurrency } from './core/iso.js';

export interface Config {
  host: string;
  port: number;
  /** Folder for the embedded database, uploaded documents and credentials.json. */
  dataDir: string;
  /** PostgreSQL connection string; absent means embedded PGlite in dataDir. */
  databaseUrl: string | undefined;
  /** Enables the operator API (/admin/v1) when set. */
  adminToken: string | undefined;
  /** PEM (PKCS#8) RS256 private key for secret keys; absent means generated and stored in the database. */
  jwtPrivateKeyPem: string | undefined;
  logLevel: string;
  /** Largest JSON body accepted, in bytes. */
  bodyLimitBytes: number;
  /** Largest uploaded document, in bytes. */
  documentMaxBytes: number;
  /** JSON rate table (`{"base": "USD", "rates": {...}}`); absent means the built-in table. */
  fxRatesFile: string | undefined;
  /** FX markup in basis points, charged as a fee in the source currency of conversions and quotes. */
  fxMarkupBps: number;
  /** How long a quote's rate stays locked. */
  quoteTtlSeconds: number;
  /** A webhook attempt that has not answered by then failed. */
  webhookTimeoutMs: number;
  /** Lets production endpoints target private, loopback and link-local addresses (sandbox always may). */
  webhookAllowPrivateTargets: boolean;
  /** How often an idle job runner looks for due jobs (on PostgreSQL a new job also wakes it at once). */
  jobsPollMs: number;
  /** How long a claimed job stays this process's without a heartbeat; a crashed process's jobs run again after it. */
  jobsLeaseMs: number;
  /** Jobs one process runs at the same time. */
  jobsConcurrency: number;
  /** Webhook attempts to one endpoint that one process makes at the same time (a slow endpoint holds no more). */
  webhookEndpointConcurrency: number;
  /** Requests per minute per client IP before 429; 0 turns the limit off. Counted by each process on its own. */
  rateLimitPerMinute: number;
  /**
   * Which proxies' X-Forwarded-For names the client IP (the rate limit's key, request.ip): false (none, the socket's
   * peer is the client), true (every hop: only when nothing can reach the server but the proxy), a number of hops,
   * or addresses and CIDR ranges of the proxies (and proxy-addr's loopback, linklocal, uniquelocal).
   */
  trustProxy: TrustProxy;
  /** A request whose headers and body have not all arrived by then is answered 408 and its connection closed. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** On SIGTERM, how long in-flight requests and jobs may take to finish before the process exits anyway. */
  shutdownTimeoutMs: number;
  /** Runs no job runner in this process when false (a web-only process next to dedicated workers). */
  jobsEnabled: boolean;
  /** Server processes sharing the port (node:cluster, src/cluster.ts); more than 1 needs PostgreSQL. */
  webConcurrency: number;
  /** Sandbox: how long after its release the simulated rail completes a payout. */
  sandboxRailDelaySeconds: number;
  /**
   * The origin customers reach this server at (no trailing slash): the base of the links the API answers, such as a
   * subscription's `subscription_link_url`. Defaults to http://HOST:PORT (localhost for a wildcard HOST).
   */
  publicUrl: string;
  /** The currencies internal transfers move (upper-case ISO 4217 codes, each once); the contract has AED only. */
  internalTransferCurrencies: readonly string[];
  /** The `aud` of new secret keys: the external API's audience, as Glomo's keys carry it (keys keep the one they were issued with). */
  apiAudience: string;
  /** The `aud` of MCP credentials: what glomo-mcp-server's GLOMO_MCP_AUDIENCE is set to. Never the API audience. */
  mcpAudience: string;
  /** The longest lifetime an MCP credential may be minted with (its `exp`), and the default one. */
  mcpCredentialMaxSeconds: number;
  /**
   * Where customer mails go out (smtp:// or smtps://, credentials in the URL); absent means mails are only kept in
   * each environment's mail log (`logged`), nothing is sent.
   */
  smtpUrl: string | undefined;
  /** The From of customer mails: an address, or a display name and an address (`Name <addr@example.com>`). */
  mailFrom: string;
}

export type TrustProxy = boolean | number | string[];

export class ConfigError extends Error {}

/** MAIL_FROM's default: `.localhost` is reserved (RFC 6761), so a mail client never replies to a real domain. */
export const DEFAULT_MAIL_FROM = 'Glomo sandbox <no-reply@glomo.localhost>';

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got '${raw}'`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got '${env[name]}'`);
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY: true/false, a hop count, or a comma-separated list of addresses, CIDR ranges and keywords. */
function trustProxy(env: NodeJS.ProcessEnv, name: string): TrustProxy {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '' || /^(false|0)$/i.test(raw)) return false;
  if (/^true$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 100) throw new ConfigError(`${name} must be at most 100 hops, got ${hops}`);
    return hops;
  }
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    if (PROXY_KEYWORDS.has(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw new ConfigError(`${name} must be true, false, a hop count or addresses and CIDR ranges, got '${entry}'`);
    }
  }
  return entries;
}

/** An absolute http(s) origin with an optional path, without its trailing slash. */
function publicUrl(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute http or https URL, got ${JSON.stringify(raw)}`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new ConfigError(`${name} must be an absolute http or https URL without query, fragment or credentials, got ${JSON.stringify(raw)}`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** A comma-separated list of ISO 4217 codes, any case, stored upper-case and each once. */
function currencies(env: NodeJS.ProcessEnv, name: string, fallback: readonly string[]): readonly string[] {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const codes = new Set<string>();
  for (const entry of raw.split(',').map((part) => part.trim())) {
    const code = normalizeCurrency(entry);
    if (entry === '' || code === undefined) {
      throw new ConfigError(`${name} must be ISO 4217 currency codes separated by commas (e.g. AED,USD), got ${JSON.stringify(entry)}`);
    }
    codes.add(code);
  }
  return Object.freeze([...codes]);
}

/**
 * A connection URL of one of `protocols` (`postgres:`, `smtp:`), with a host when `needsHost`, or undefined when
 * unset; a ConfigError naming the setting, the expected form and what was given otherwise, never repeating a password.
 */
function serviceUrl(
  env: NodeJS.ProcessEnv, name: string, protocols: readonly string[], expected: string, needsHost: boolean,
): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !protocols.includes(url.protocol) || (needsHost && url.hostname === '')) {
    const shown = url ? `${url.protocol}//…` : JSON.stringify(raw.replace(/:[^:@/]*@/, ':***@'));
    throw new ConfigError(`${name} must be ${expected}, got ${shown}`);
  }
  return raw;
}

/** A PostgreSQL connection URL (postgres:// or postgresql://; no host: a Unix socket, `?host=/var/run/postgresql`). */
function databaseUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return serviceUrl(env, name, ['postgres:', 'postgresql:'], 'a postgres:// or postgresql:// URL (postgres://user:password@host:5432/database)', false);
}

/** An SMTP server URL (smtp:// or smtps://). */
function smtpUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return serviceUrl(env, name, ['smtp:', 'smtps:'], 'an smtp:// or smtps:// URL (smtp://user:password@host:587)', true);
}

/** One mailbox: `addr@example.com` or `Display Name <addr@example.com>`, on one line. */
const MAILBOX = /^(?:[^\s<>@]+@[^\s<>@]+|[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>)$/;

function mailbox(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!MAILBOX.test(raw)) {
    throw new ConfigError(`${name} must be an e-mail address, or a name and an address (Glomo <no-reply@example.com>), got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/** An RSA private key in PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), with `\n` escapes allowed for one-line values. */
function pkcs8RsaKey(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const pem = optional(env, name)?.replace(/\\n/g, '\n');
  if (pem === undefined) return undefined;
  const problem = `${name} must be an RSA private key in PKCS#8 PEM form (-----BEGIN PRIVATE KEY-----; convert with ` +
    '`openssl pkcs8 -topk8 -nocrypt`)';
  if (!pem.startsWith('-----BEGIN PRIVATE KEY-----')) throw new ConfigError(`${problem}, got ${pem.startsWith('-----BEGIN ') ? pem.split('\n')[0] : 'something else'}`);
  let type: string | undefined;
  try {
    type = createPrivateKey({ key: pem, format: 'pem' }).asymmetricKeyType;
  } catch {
    throw new ConfigError(`${problem}: it does not parse`);
  }
  if (type !== 'rsa') throw new ConfigError(`${problem}, got a ${type ?? 'non-RSA'} key`);
  return pem;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function logLevel(env: NodeJS.ProcessEnv, name: string): string {
  const raw = optional(env, name)?.toLowerCase();
  if (raw === undefined) return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env[name])}`);
  }
  return raw;
}

/** A JWT audience: printable ASCII without spaces, as an env file holds it. */
function audience(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^[\x21-\x7e]{1,200}$/.test(raw)) {
    throw new ConfigError(`${name} must be 1 to 200 printable ASCII characters without spaces, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const adminToken = optional(env, 'ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN must be at least 16 characters long');
  }
  const host = optional(env, 'HOST') ?? '127.0.0.1';
  const port = integer(env, 'PORT', 4000, 0, 65535);
  const wildcard = host === '0.0.0.0' || host === '::';
  const urlHost = wildcard ? 'localhost' : isIP(host) === 6 ? `[${host}]` : host;
  const apiAudience = audience(env, 'API_AUDIENCE', DEFAULT_API_AUDIENCE);
  const mcpAudience = audience(env, 'MCP_AUDIENCE', DEFAULT_MCP_AUDIENCE);
  // glomo-mcp-server tells a merchant's API key from an MCP credential by its audience alone (decision 0036).
  if (apiAudience === mcpAudience) throw new ConfigError(`MCP_AUDIENCE must differ from API_AUDIENCE, both are ${JSON.stringify(apiAudience)}`);
  const databaseUrlValue = databaseUrl(env, 'DATABASE_URL');
  const webConcurrency = integer(env, 'WEB_CONCURRENCY', 1, 1, 64);
  // PGlite lives inside one process and DATA_DIR's lock admits one: several processes need a shared database.
  if (webConcurrency > 1 && databaseUrlValue === undefined) {
    throw new ConfigError(`WEB_CONCURRENCY ${webConcurrency} needs DATABASE_URL: the embedded database (PGlite) is one process only`);
  }
  return {
    host,
    port,
    dataDir: path.resolve(optional(env, 'DATA_DIR') ?? './data'),
    databaseUrl: databaseUrlValue,
    adminToken,
    jwtPrivateKeyPem: pkcs8RsaKey(env, 'JWT_PRIVATE_KEY'),
    logLevel: logLevel(env, 'LOG_LEVEL'),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    documentMaxBytes: integer(env, 'DOCUMENT_MAX_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    fxRatesFile: optional(env, 'FX_RATES_FILE'),
    fxMarkupBps: integer(env, 'FX_MARKUP_BPS', 50, 0, 1000),
    quoteTtlSeconds: integer(env, 'QUOTE_TTL_SECONDS', 30 * 60, 1, 24 * 60 * 60),
    webhookTimeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 30_000, 100, 120_000),
    webhookAllowPrivateTargets: boolean(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', false),
    jobsPollMs: integer(env, 'JOBS_POLL_MS', 1000, 10, 60_000),
    jobsLeaseMs: integer(env, 'JOBS_LEASE_MS', 30_000, 1000, 60 * 60 * 1000),
    jobsConcurrency: integer(env, 'JOBS_CONCURRENCY', 32, 1, 1000),
    webhookEndpointConcurrency: integer(env, 'WEBHOOK_ENDPOINT_CONCURRENCY', 8, 1, 1000),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 3000, 0, 10_000_000),
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 1000, 10 * 60 * 1000),
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 72_000, 1000, 10 * 60 * 1000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 20_000, 0, 10 * 60 * 1000),
    jobsEnabled: boolean(env, 'JOBS_ENABLED', true),
    webConcurrency,
    sandboxRailDelaySeconds: integer(env, 'SANDBOX_RAIL_DELAY_SECONDS', 60, 0, 24 * 60 * 60),
    publicUrl: publicUrl(env, 'PUBLIC_URL', `http://${urlHost}:${port}`),
    internalTransferCurrencies: currencies(env, 'INTERNAL_TRANSFER_CURRENCIES', ['AED']),
    apiAudience,
    mcpAudience,
    mcpCredentialMaxSeconds: integer(env, 'MCP_CREDENTIAL_MAX_SECONDS', 30 * 24 * 60 * 60, 60, 366 * 24 * 60 * 60),
    smtpUrl: smtpUrl(env, 'SMTP_URL'),
    mailFrom: mailbox(env, 'MAIL_FROM', DEFAULT_MAIL_FROM),
  };
}
