import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('PUBLIC_URL', () => {
  it('defaults to the listening address, localhost for a wildcard host', () => {
    expect(loadConfig({}).publicUrl).toBe('http://127.0.0.1:4000');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ HOST: '::1' }).publicUrl).toBe('http://[::1]:4000');
  });

  it('keeps an origin with a path, without its trailing slashes', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://pay.example.com/' }).publicUrl).toBe('https://pay.example.com');
    expect(loadConfig({ PUBLIC_URL: 'https://example.com/glomo//' }).publicUrl).toBe('https://example.com/glomo');
  });

  it('refuses what is not an absolute http(s) URL, naming the setting', () => {
    for (const bad of ['pay.example.com', 'ftp://example.com', 'https://example.com/?a=1', 'https://u:p@example.com']) {
      expect(() => loadConfig({ PUBLIC_URL: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ PUBLIC_URL: bad })).toThrow(/^PUBLIC_URL /);
    }
  });
});

describe('INTERNAL_TRANSFER_CURRENCIES', () => {
  it("defaults to the contract's AED", () => {
    expect(loadConfig({}).internalTransferCurrencies).toEqual(['AED']);
    expect(loadConfig({ INTERNAL_TRANSFER_CURRENCIES: ' ' }).internalTransferCurrencies).toEqual(['AED']);
  });

  it('takes ISO 4217 codes separated by commas, any case and spacing, upper-cased and each once', () => {
    expect(loadConfig({ INTERNAL_TRANSFER_CURRENCIES: 'aed, USD,eur ,usd' }).internalTransferCurrencies).toEqual(['AED', 'USD', 'EUR']);
  });

  it('refuses what is not a list of ISO 4217 codes, in one line naming the setting', () => {
    for (const bad of ['AED,XYZ', 'AED,,USD', 'AED;USD', 'dirhams', 'AED,']) {
      expect(() => loadConfig({ INTERNAL_TRANSFER_CURRENCIES: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ INTERNAL_TRANSFER_CURRENCIES: bad }), bad).toThrow(/^INTERNAL_TRANSFER_CURRENCIES must be ISO 4217 currency codes separated by commas \(e\.g\. AED,USD\), got "[^"\n]*"$/);
    }
  });
});
