// The integrator's introduction at the top of /openapi.json and /docs (introduction.md), with the tables that must
// follow the code (test cards, payout failure endings, the retry schedule, page sizes) filled in from it, so the docs
// cannot drift from what the server does.
import fs from 'node:fs';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from '../core/pagination.js';
import { SANDBOX_OTP, TEST_CARDS } from '../modules/payments/cards.js';
import { SIMULATED_RAIL_FAILURES } from '../modules/payouts/jobs.js';
import { RETRY_DELAYS_MS } from '../webhooks/delivery/handlers.js';

const TEMPLATE = fs.readFileSync(new URL('./introduction.md', import.meta.url), 'utf8');

/** `1 min`, `3 h`, `2 d`. */
function duration(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 60) return `${minutes} min`;
  const hours = minutes / 60;
  return hours < 24 ? `${hours} h` : `${hours / 24} d`;
}

function schedule(delays: readonly number[]): string {
  return `${delays.map(duration).join(', ')} (${delays.length} retries)`;
}

function testCards(): string {
  const spaced = (number: string) => number.replace(/(\d{4})(?=\d)/g, '$1 ');
  const rows = [...TEST_CARDS].map(([number, card]) =>
    `  | \`${spaced(number)}\` | ${card.network} | ${card.otp ? 'yes' : 'no'} | ${card.outcome === 'success' ? 'succeeds' : 'declined'} |`);
  return ['  | number | network | one-time password | outcome |', '  | --- | --- | --- | --- |', ...rows].join('\n');
}

function payoutEndings(): string {
  const rows = Object.entries(SIMULATED_RAIL_FAILURES).map(([ending, error]) => `  | \`…${ending}\` | \`${error.code}\` | ${error.description} |`);
  return ['  | ending | error code | meaning |', '  | --- | --- | --- |', ...rows].join('\n');
}

/** The introduction for a server reached at `publicUrl`. */
export function apiIntroduction(publicUrl: string, webhookTimeoutMs: number): string {
  const values: Record<string, string> = {
    ORIGIN: publicUrl,
    PER_PAGE: String(DEFAULT_PER_PAGE),
    MAX_PER_PAGE: String(MAX_PER_PAGE),
    WEBHOOK_TIMEOUT_SECONDS: String(webhookTimeoutMs / 1000),
    RETRIES_SANDBOX: schedule(RETRY_DELAYS_MS.sandbox),
    RETRIES_PRODUCTION: schedule(RETRY_DELAYS_MS.production),
    OTP: SANDBOX_OTP,
    TEST_CARDS: testCards(),
    PAYOUT_ENDINGS: payoutEndings(),
  };
  return TEMPLATE.replace(/\{\{([A-Z_]+)\}\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`introduction.md: no value for ${placeholder}`);
    return value;
  });
}
