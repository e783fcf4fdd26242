// Where mid-market FX rates come from: a source interface, a static-table implementation and the rate-file loader.
import { readFile } from 'node:fs/promises';
import { normalizeCurrency } from '../core/iso.js';
import { crossRate, parseRate, type Rate } from '../core/money.js';

export interface FxRateSource {
  readonly name: string;
  /** ISO 4217 codes the source quotes, upper case, sorted. */
  currencies(): readonly string[];
  /** Units of `to` per one unit of `from` (major units); undefined when either code is not quoted (codes are upper case). */
  midRate(from: string, to: string): Promise<Rate | undefined>;
}

/** Units of each currency per one unit of `base`, as decimal strings; `base` itself is "1" whether listed or not. */
export interface RateTable {
  base: string;
  rates: Record<string, string>;
}

const ONE: Rate = { units: 1n, scale: 0 };

/** A rate source over a fixed table: A to B is crossRate(rates[A], rates[B]). */
export function tableRateSource(table: RateTable, name = 'table'): FxRateSource {
  // Validate here too, so a hand-built table fails at start-up rather than on the first conversion.
  const valid = parseRateTable(table, `rate source ${name}`);
  const perBase = new Map<string, Rate>([[valid.base, ONE]]);
  for (const [currency, text] of Object.entries(valid.rates)) perBase.set(currency, parseRate(text));
  const currencies = Object.freeze([...perBase.keys()].sort());
  return {
    name,
    currencies: () => currencies,
    midRate(from, to) {
      const fromRate = perBase.get(from);
      const toRate = perBase.get(to);
      if (fromRate === undefined || toRate === undefined) return Promise.resolve(undefined);
      return Promise.resolve(from === to ? ONE : crossRate(fromRate, toRate));
    },
  };
}

/**
 * Checks an untrusted value (parsed JSON) is a rate table: { base, rates } and nothing else, every code an upper-case
 * ISO 4217 currency, every rate a string parseRate accepts, and the base, if listed, exactly 1.
 * Errors name `origin` (a file path, say) and the offending key.
 */
export function parseRateTable(json: unknown, origin: string): RateTable {
  if (!isPlainObject(json)) throw new Error(`${origin}: a rate table must be an object with "base" and "rates"`);
  for (const key of Object.keys(json)) {
    if (key !== 'base' && key !== 'rates') throw new Error(`${origin}: unknown field ${JSON.stringify(key)}`);
  }
  const { base, rates } = json;
  if (typeof base !== 'string' || normalizeCurrency(base) !== base) {
    throw new Error(`${origin}: base must be an upper-case ISO 4217 currency code, got ${describe(base)}`);
  }
  if (!isPlainObject(rates)) throw new Error(`${origin}: rates must be an object of currency code to decimal string`);
  const checked: Record<string, string> = {};
  for (const [currency, value] of Object.entries(rates)) {
    if (normalizeCurrency(currency) !== currency) {
      throw new Error(`${origin}: rates key ${JSON.stringify(currency)} is not an upper-case ISO 4217 currency code`);
    }
    if (typeof value !== 'string') {
      throw new Error(`${origin}: rates.${currency} must be a decimal string such as "0.92", got ${describe(value)}`);
    }
    let rate: Rate;
    try {
      rate = parseRate(value);
    } catch (error) {
      throw new Error(`${origin}: rates.${currency}: ${(error as Error).message}`, { cause: error });
    }
    if (currency === base && (rate.units !== 1n || rate.scale !== 0)) {
      throw new Error(`${origin}: rates.${currency} is the base currency, so its rate must be "1", got ${JSON.stringify(value)}`);
    }
    checked[currency] = value;
  }
  return { base, rates: checked };
}

/** Reads and validates a JSON rate table; every failure names the path. */
export async function loadRateTableFile(path: string): Promise<RateTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read rate table ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`Rate table ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseRateTable(json, path);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
