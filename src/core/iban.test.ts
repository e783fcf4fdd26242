import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ibanCountry, isValidIban, normalizeIban } from './iban.js';

// Published examples (ISO 13616 / SWIFT registry), one per country we meet at least.
const VALID = [
  'GB82WEST12345698765432',
  'DE89370400440532013000',
  'AE070331234567890123456',
  'FR1420041010050500013M02606',
  'NL91ABNA0417164300',
  'ES9121000418450200051332',
  'IT60X0542811101000000123456',
  'IE29AIBK93115212345678',
  'BE68539007547034',
  'AT611904300234573201',
  'PT50000201231234567890154',
  'CH9300762011623852957',
  'NO9386011117947',
  'SA0380000000608010167519',
];

describe('normalizeIban', () => {
  it('drops whitespace and upper-cases', () => {
    expect(normalizeIban(' gb82 west 1234\t5698 7654 32 ')).toBe('GB82WEST12345698765432');
  });
});

describe('isValidIban', () => {
  it('accepts the published examples, in electronic and print form', () => {
    for (const iban of VALID) {
      expect(isValidIban(iban), iban).toBe(true);
      expect(isValidIban(iban.toLowerCase().replace(/(.{4})/g, '$1 ')), iban).toBe(true);
    }
  });

  it('refuses one changed digit, in the check digits or the account', () => {
    expect(isValidIban('GB82WEST12345698765433')).toBe(false);
    expect(isValidIban('GB83WEST12345698765432')).toBe(false);
    expect(isValidIban('DE89370400440532013001')).toBe(false);
    expect(isValidIban('AE070331234567890123457')).toBe(false);
  });

  it('refuses a changed letter', () => {
    expect(isValidIban('GB82WEXT12345698765432')).toBe(false);
    expect(isValidIban('FR1420041010050500013N02606')).toBe(false);
  });

  it('refuses adjacent transpositions', () => {
    expect(isValidIban('GB82WEST12345698765423')).toBe(false);
    expect(isValidIban('DE89370400440532010300')).toBe(false);
    expect(isValidIban('NL91ABNA0417163400')).toBe(false);
  });

  it('refuses a wrong length for a listed country, even with correct check digits', () => {
    // DE with 21 characters whose mod-97 is right: the length rule alone must refuse it.
    const shortDe = withCheckDigits('DE', '37040044053201300');
    expect(shortDe.length).toBe(21);
    expect(isValidIban(shortDe)).toBe(false);
    expect(isValidIban(withCheckDigits('AE', '03312345678901234567'))).toBe(false); // 24, AE is 23
    expect(isValidIban(withCheckDigits('GB', 'WEST1234569876543'))).toBe(false); // 21, GB is 22
    expect(isValidIban(withCheckDigits('DE', '370400440532013000'))).toBe(true);
  });

  it('accepts other countries at 15 to 34 characters when the check digits hold', () => {
    const at = (length: number) => withCheckDigits('MU', '1'.repeat(length - 4));
    expect(isValidIban(at(15))).toBe(true);
    expect(isValidIban(at(34))).toBe(true);
    expect(isValidIban(at(14))).toBe(false);
    expect(isValidIban(at(35))).toBe(false);
  });

  it('refuses the check digits 00, 01 and 99 even where mod-97 holds', () => {
    // 97, 98 and 02 valid means 00, 01 and 99 also pass mod-97 for the same account.
    const found = new Set<string>();
    for (let n = 0; found.size < 3 && n < 10_000; n++) {
      const iban = withCheckDigits('GB', `WEST${String(n).padStart(14, '0')}`);
      const check = iban.slice(2, 4);
      if (['97', '98', '02'].includes(check)) {
        found.add(check);
        expect(isValidIban(iban)).toBe(true);
        const twin = `GB${{ '97': '00', '98': '01', '02': '99' }[check]}${iban.slice(4)}`;
        expect(mod97Of(twin), twin).toBe(1);
        expect(isValidIban(twin), twin).toBe(false);
      }
    }
    expect(found.size).toBe(3);
  });

  it('refuses malformed input', () => {
    for (const bad of ['', 'GB', 'GB82', '1282WEST12345698765432', 'GBXXWEST12345698765432', 'GB82WEST1234569876543!', 'GB82-WEST-1234-5698-7654-32']) {
      expect(isValidIban(bad), bad).toBe(false);
    }
  });

  it('refuses every single-digit substitution of a valid IBAN', () => {
    const digitPositions = fc.constantFrom(...VALID).chain((iban) => {
      const positions = [...iban].flatMap((char, i) => (i >= 2 && /\d/.test(char) ? [i] : []));
      return fc.tuple(fc.constant(iban), fc.constantFrom(...positions), fc.integer({ min: 1, max: 9 }));
    });
    fc.assert(fc.property(digitPositions, ([iban, position, shift]) => {
      const digit = (Number(iban[position]) + shift) % 10;
      const changed = iban.slice(0, position) + digit + iban.slice(position + 1);
      expect(isValidIban(changed)).toBe(false);
    }), { numRuns: 500 });
  });

  it('refuses every swap of two different adjacent digits', () => {
    const swaps = fc.constantFrom(...VALID).chain((iban) => {
      const positions = [...iban].flatMap((char, i) => (i >= 4 && /\d\d/.test(iban.slice(i, i + 2)) && char !== iban[i + 1] ? [i] : []));
      return fc.tuple(fc.constant(iban), fc.constantFrom(...positions));
    });
    fc.assert(fc.property(swaps, ([iban, i]) => {
      const swapped = iban.slice(0, i) + iban[i + 1] + iban[i] + iban.slice(i + 2);
      expect(isValidIban(swapped)).toBe(false);
    }), { numRuns: 300 });
  });
});

describe('ibanCountry', () => {
  it('answers the alpha-2 country of a valid IBAN, in any form', () => {
    expect(ibanCountry('GB82WEST12345698765432')).toBe('GB');
    expect(ibanCountry('ae07 0331 2345 6789 0123 456')).toBe('AE');
    expect(ibanCountry('FR1420041010050500013M02606')).toBe('FR');
  });

  it('answers undefined for an invalid IBAN', () => {
    expect(ibanCountry('GB82WEST12345698765433')).toBeUndefined();
    expect(ibanCountry('12345678')).toBeUndefined();
  });
});

// Independent of iban.ts: the check digits ISO 13616 computes for country + BBAN, with bigint arithmetic.
function mod97Of(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  const digits = [...rearranged].map((char) => parseInt(char, 36).toString()).join('');
  return Number(BigInt(digits) % 97n);
}

function withCheckDigits(country: string, bban: string): string {
  const check = 98 - mod97Of(`${country}00${bban}`);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}
