import { describe, expect, it } from 'vitest';
import { bicCountry, isValidBic, isValidIfsc, isValidSortCode, isValidUkAccountNumber, isValidUpiId } from './bank-identifiers.js';

const GB_IBAN = 'GB82WEST12345698765432';

describe('identifier formats', () => {
  it('IFSC: 4 letters, 0, 6 letters or digits', () => {
    for (const ok of ['HDFC0001234', 'YESB0000002', 'SBIN0ABC12Z', 'hdfc0001234', ' HDFC0001234 ']) expect(isValidIfsc(ok), ok).toBe(true);
    for (const bad of ['HDFC1001234', 'HDF10001234', 'HDFC000123', 'HDFC00012345', 'HDFC0_01234', '1234000000A', '']) {
      expect(isValidIfsc(bad), bad).toBe(false);
    }
  });

  it('BIC: 8 or 11 characters, 4 letters, a real country, then letters or digits', () => {
    for (const ok of ['DEUTDEFF', 'DEUTDEFF500', 'NWBKGB2L', 'chasus33', 'EBILAEAD', 'HDFCINBBXXX']) expect(isValidBic(ok), ok).toBe(true);
    for (const bad of ['DEUTDEF', 'DEUTDEFF5', 'DEUTDEFF50', 'DEUTDEFF5000', 'DEU1DEFF', 'DEUTZZFF', 'DEUT1EFF', 'QWERIN000', 'DEUTDEF_', '']) {
      expect(isValidBic(bad), bad).toBe(false);
    }
    expect(bicCountry('deutdeff500')).toBe('DE');
    expect(bicCountry('EBILAEAD')).toBe('AE');
    expect(bicCountry('ABCDXKPR')).toBe('XK');
    expect(bicCountry('DEUTZZFF')).toBeUndefined();
  });

  it('UK sort code and account number, UPI ID', () => {
    for (const ok of ['601613', '60-16-13']) expect(isValidSortCode(ok), ok).toBe(true);
    for (const bad of ['60161', '6016133', '60 16 13', '60-1613', 'ABCDEF']) expect(isValidSortCode(bad), bad).toBe(false);
    expect(isValidUkAccountNumber('12345678')).toBe(true);
    for (const bad of ['1234567', '123456789', GB_IBAN, '1234567A']) expect(isValidUkAccountNumber(bad), bad).toBe(false);
    for (const ok of ['1111111111@ybl', 'jane.doe-1@okhdfcbank', 'ab@upi']) expect(isValidUpiId(ok), ok).toBe(true);
    for (const bad of ['1111111111', '@ybl', 'a@ybl', 'name@', 'name@@ybl', 'na me@ybl', 'name@1bank']) expect(isValidUpiId(bad), bad).toBe(false);
  });
});
