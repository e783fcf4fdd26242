import { describe, expect, it } from 'vitest';
import { currencyExponent, normalizeCountry, normalizeCurrency } from './iso.js';

describe('ISO codes', () => {
  it('take countries as ISO 3166-1 alpha-3 in any case and answer upper case', () => {
    expect(normalizeCountry('Ind')).toBe('IND');
    expect(normalizeCountry(' usa ')).toBe('USA');
    expect(normalizeCountry('ARE')).toBe('ARE');
    for (const bad of ['IN', 'INDIA', 'XYZ', '', '123']) expect(normalizeCountry(bad), bad).toBeUndefined();
  });

  it('take currencies as ISO 4217 in any case, with their minor-unit exponents', () => {
    expect(normalizeCurrency('usd')).toBe('USD');
    expect(normalizeCurrency('XYZ')).toBeUndefined();
    expect(normalizeCurrency('XAU')).toBeUndefined();
    expect([currencyExponent('JPY'), currencyExponent('USD'), currencyExponent('KWD'), currencyExponent('BHD')]).toEqual([0, 2, 3, 3]);
    expect(() => currencyExponent('XYZ')).toThrow();
  });
});
