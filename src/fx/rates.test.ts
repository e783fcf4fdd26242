import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossRate, formatRate, parseRate } from '../core/money.js';
import { DEFAULT_RATE_TABLE } from './default-rates.js';
import { loadRateTableFile, parseRateTable, tableRateSource, type RateTable } from './rates.js';

const REQUIRED = ['USD', 'EUR', 'GBP', 'INR', 'AED', 'SGD', 'AUD', 'CAD', 'JPY', 'HKD', 'CHF', 'NZD', 'SAR', 'KWD', 'BHD', 'OMR', 'CNY'];

async function mid(table: RateTable, from: string, to: string): Promise<string | undefined> {
  const rate = await tableRateSource(table).midRate(from, to);
  return rate === undefined ? undefined : formatRate(rate);
}

describe('tableRateSource', () => {
  it('crosses the table rates through the base', async () => {
    expect(await mid(DEFAULT_RATE_TABLE, 'USD', 'JPY')).toBe('151.5');
    expect(await mid(DEFAULT_RATE_TABLE, 'JPY', 'USD')).toBe('0.006600660066');
    expect(await mid(DEFAULT_RATE_TABLE, 'USD', 'KWD')).toBe('0.3075');
    expect(await mid(DEFAULT_RATE_TABLE, 'KWD', 'BHD')).toBe('1.222764228');
    expect(await mid(DEFAULT_RATE_TABLE, 'BHD', 'JPY')).toBe('402.9255319');
    expect(await mid(DEFAULT_RATE_TABLE, 'EUR', 'GBP')).toBe('0.8586956522');
  });

  it('answers exactly 1 for the same currency, including the base', async () => {
    const source = tableRateSource(DEFAULT_RATE_TABLE);
    for (const currency of ['USD', 'EUR', 'JPY', 'KWD']) {
      expect(await source.midRate(currency, currency)).toEqual({ units: 1n, scale: 0 });
    }
  });

  it('answers undefined when either currency is not in the table', async () => {
    const source = tableRateSource(DEFAULT_RATE_TABLE);
    expect(await source.midRate('USD', 'BRL')).toBeUndefined(); // a real currency the table does not quote
    expect(await source.midRate('BRL', 'USD')).toBeUndefined();
    expect(await source.midRate('BRL', 'BRL')).toBeUndefined();
    expect(await source.midRate('XYZ', 'USD')).toBeUndefined();
    expect(await source.midRate('usd', 'EUR')).toBeUndefined();
  });

  it('lists its currencies, counting an unlisted base at rate 1', async () => {
    expect(tableRateSource(DEFAULT_RATE_TABLE).currencies()).toEqual([...REQUIRED].sort());
    const source = tableRateSource({ base: 'EUR', rates: { USD: '1.087', JPY: '164.7' } }, 'test');
    expect(source.name).toBe('test');
    expect(source.currencies()).toEqual(['EUR', 'JPY', 'USD']);
    expect(await mid({ base: 'EUR', rates: { USD: '1.087' } }, 'EUR', 'USD')).toBe('1.087');
    expect(await mid({ base: 'EUR', rates: { USD: '1.087' } }, 'USD', 'EUR')).toBe('0.9199632015');
  });

  it('validates the table up front', () => {
    expect(() => tableRateSource({ base: 'USD', rates: { EUR: '-0.92' } })).toThrow(/rates\.EUR/);
    expect(() => tableRateSource({ base: 'usd', rates: {} })).toThrow(/base/);
  });
});

describe('parseRateTable', () => {
  const origin = 'rates/test.json';
  const failure = (json: unknown): string => {
    try {
      parseRateTable(json, origin);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected parseRateTable to throw');
  };

  it('accepts a valid table and returns its own copy', () => {
    const input = { base: 'USD', rates: { USD: '1.0', EUR: '0.92', JPY: '151.5' } };
    const table = parseRateTable(input, origin);
    expect(table).toEqual(input);
    input.rates.EUR = 'garbage';
    expect(table.rates.EUR).toBe('0.92');
    expect(parseRateTable({ base: 'USD', rates: {} }, origin)).toEqual({ base: 'USD', rates: {} });
  });

  it('rejects values that are not rate tables, naming the origin', () => {
    for (const json of [null, [], 'USD', 42, undefined]) expect(failure(json)).toMatch(/^rates\/test\.json: a rate table must be an object/);
    expect(failure({ rates: {} })).toMatch(/^rates\/test\.json: base must be .*got nothing/);
    expect(failure({ base: 'usd', rates: {} })).toMatch(/^rates\/test\.json: base must be an upper-case ISO 4217 .*"usd"/);
    expect(failure({ base: 'XYZ', rates: {} })).toMatch(/base must be .*"XYZ"/);
    expect(failure({ base: 'USD' })).toMatch(/^rates\/test\.json: rates must be an object/);
    expect(failure({ base: 'USD', rates: [] })).toMatch(/rates must be an object/);
    expect(failure({ base: 'USD', rates: {}, asOf: 'today' })).toMatch(/^rates\/test\.json: unknown field "asOf"/);
  });

  it('rejects bad currency keys, naming the key', () => {
    expect(failure({ base: 'USD', rates: { eur: '0.92' } })).toMatch(/^rates\/test\.json: rates key "eur" is not an upper-case ISO 4217/);
    expect(failure({ base: 'USD', rates: { XYZ: '1' } })).toMatch(/rates key "XYZ"/);
    expect(failure({ base: 'USD', rates: { XAU: '0.0004' } })).toMatch(/rates key "XAU"/); // metals are not currencies here
    expect(failure(JSON.parse('{"base":"USD","rates":{"__proto__":"1"}}'))).toMatch(/rates key "__proto__"/);
  });

  it('rejects bad rate values, naming the key and the reason', () => {
    expect(failure({ base: 'USD', rates: { EUR: 0.92 } })).toMatch(/^rates\/test\.json: rates\.EUR must be a decimal string .*got number 0\.92/);
    expect(failure({ base: 'USD', rates: { EUR: null } })).toMatch(/rates\.EUR must be a decimal string .*got null/);
    expect(failure({ base: 'USD', rates: { JPY: '0' } })).toMatch(/^rates\/test\.json: rates\.JPY: .*greater than zero/);
    expect(failure({ base: 'USD', rates: { JPY: '-151.5' } })).toMatch(/rates\.JPY: .*not a plain positive decimal/);
    expect(failure({ base: 'USD', rates: { JPY: '1.515e2' } })).toMatch(/rates\.JPY: .*not a plain positive decimal/);
    expect(failure({ base: 'USD', rates: { JPY: ' ' } })).toMatch(/rates\.JPY: .*not a plain positive decimal/);
    expect(failure({ base: 'USD', rates: { KWD: '0.3075000000000000001' } })).toMatch(/rates\.KWD: .*fraction digits/);
    expect(failure({ base: 'USD', rates: { USD: '1.01' } })).toMatch(/rates\.USD is the base currency, so its rate must be "1"/);
  });
});

describe('loadRateTableFile', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'glomo-rates-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads a valid JSON rate table', async () => {
    const path = join(directory, 'good.json');
    await writeFile(path, JSON.stringify({ base: 'USD', rates: { EUR: '0.92', JPY: '151.5' } }));
    expect(await loadRateTableFile(path)).toEqual({ base: 'USD', rates: { EUR: '0.92', JPY: '151.5' } });
  });

  it('names the path when the file is missing, unreadable, not JSON or not a rate table', async () => {
    const missing = join(directory, 'missing.json');
    await expect(loadRateTableFile(missing)).rejects.toThrow(`Cannot read rate table ${missing}`);
    await expect(loadRateTableFile(directory)).rejects.toThrow(`Cannot read rate table ${directory}`); // a directory
    const broken = join(directory, 'broken.json');
    await writeFile(broken, '{"base": "USD", "rates": {');
    await expect(loadRateTableFile(broken)).rejects.toThrow(`Rate table ${broken} is not valid JSON`);
    const invalid = join(directory, 'invalid.json');
    await writeFile(invalid, JSON.stringify({ base: 'USD', rates: { GBP: '0.79', INR: 'eighty-three' } }));
    await expect(loadRateTableFile(invalid)).rejects.toThrow(`${invalid}: rates.INR:`);
  });
});

describe('DEFAULT_RATE_TABLE', () => {
  it('is a valid USD-based table with the required currencies and cannot be changed', () => {
    expect(parseRateTable(DEFAULT_RATE_TABLE, 'default')).toEqual(DEFAULT_RATE_TABLE);
    expect(DEFAULT_RATE_TABLE.base).toBe('USD');
    expect(Object.keys(DEFAULT_RATE_TABLE.rates).sort()).toEqual([...REQUIRED].sort());
    expect(Object.isFrozen(DEFAULT_RATE_TABLE) && Object.isFrozen(DEFAULT_RATE_TABLE.rates)).toBe(true);
  });

  it('sits near real mid-market levels (a guard against a slipped digit)', () => {
    // Loose bands around long-run levels; pegged currencies must match their peg exactly.
    const bands: Record<string, [number, number]> = {
      EUR: [0.8, 1.0], GBP: [0.7, 0.9], INR: [70, 100], SGD: [1.2, 1.5], AUD: [1.3, 1.7], CAD: [1.2, 1.5],
      JPY: [100, 170], HKD: [7.75, 7.85], CHF: [0.75, 1.0], NZD: [1.4, 1.8], KWD: [0.29, 0.32], CNY: [6.5, 7.5],
    };
    for (const [currency, [low, high]] of Object.entries(bands)) {
      const level = Number(DEFAULT_RATE_TABLE.rates[currency]);
      expect(level >= low && level <= high, `${currency} ${level}`).toBe(true);
    }
    expect(DEFAULT_RATE_TABLE.rates).toMatchObject({ USD: '1', AED: '3.6725', SAR: '3.75', BHD: '0.376', OMR: '0.3845' });
  });

  it('gives every ordered pair as crossRate(rates[from], rates[to])', async () => {
    const source = tableRateSource(DEFAULT_RATE_TABLE);
    const perBase = (currency: string) => parseRate(DEFAULT_RATE_TABLE.rates[currency] ?? 'missing');
    for (const from of REQUIRED) {
      for (const to of REQUIRED) {
        expect(await source.midRate(from, to), `${from}->${to}`).toEqual(crossRate(perBase(from), perBase(to)));
      }
    }
  });
});
