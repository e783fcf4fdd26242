// The built-in rate table for sandboxes and tests.
import type { RateTable } from './rates.js';

/**
 * Illustrative static values near real mid-market levels, NOT live market data: units of each currency per 1 USD.
 * AED, SAR, BHD and OMR are at their USD pegs; the rest are rounded snapshots. Deployments that price real
 * conversions load a current table (loadRateTableFile) or plug in a live FxRateSource.
 */
export const DEFAULT_RATE_TABLE: RateTable = Object.freeze({
  base: 'USD',
  rates: Object.freeze({
    USD: '1',
    EUR: '0.92',
    GBP: '0.79',
    INR: '83.2',
    AED: '3.6725',
    SGD: '1.35',
    AUD: '1.52',
    CAD: '1.36',
    JPY: '151.5',
    HKD: '7.82',
    CHF: '0.88',
    NZD: '1.66',
    SAR: '3.75',
    KWD: '0.3075',
    BHD: '0.376',
    OMR: '0.3845',
    CNY: '7.24',
  }),
});
