import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALPHA2_BY_ALPHA3, COUNTRY_ALPHA3 } from '../../core/iso-data.js';
import {
  checkRailAmount,
  chooseRail,
  eligibleRails,
  isPaymentRail,
  LOCAL_RAILS,
  PAYMENT_RAILS,
  RAIL_LIMITS,
  railLimit,
  railRefusalMessage,
  SWIFT_RAIL,
  type RailTarget,
} from './rails.js';

const AE_IBAN = 'AE070331234567890123456';
const DE_IBAN = 'DE89370400440532013000';
const GB_IBAN = 'GB82WEST12345698765432';

const inrBank: RailTarget = { currency: 'INR', accountNumber: '50100123456789', localRoutingNumber: 'HDFC0001234' };
const inrUpi: RailTarget = { currency: 'INR', upiId: '1111111111@ybl' };
const aedIban: RailTarget = { currency: 'AED', accountNumber: AE_IBAN };
const eurIban: RailTarget = { currency: 'EUR', accountNumber: DE_IBAN };
const gbpDomestic: RailTarget = { currency: 'GBP', accountNumber: '12345678', localRoutingNumber: '601613' };
const usdSwift: RailTarget = { currency: 'USD', accountNumber: '000123456789', swiftCode: 'CHASUS33' };

describe('the rail enum', () => {
  it('is the spec enum, in its order', () => {
    expect(PAYMENT_RAILS).toEqual(['swift', 'imps', 'neft', 'rtgs', 'upi', 'ipp', 'fts', 'sepa', 'fps']);
    expect(SWIFT_RAIL).toBe('swift');
    expect(isPaymentRail('neft')).toBe(true);
    for (const other of ['npp', 'NEFT', '', 'ach']) expect(isPaymentRail(other), other).toBe(false);
  });

  it('lists each local rail under its one currency, in the order quotes price them', () => {
    expect(LOCAL_RAILS).toEqual({ INR: ['upi', 'imps', 'neft', 'rtgs'], AED: ['ipp', 'fts'], EUR: ['sepa'], GBP: ['fps'] });
    const listed = Object.values(LOCAL_RAILS).flat();
    expect([...listed].sort()).toEqual(PAYMENT_RAILS.filter((rail) => rail !== SWIFT_RAIL).sort());
    expect(Object.isFrozen(LOCAL_RAILS)).toBe(true);
  });
});

describe('eligibleRails', () => {
  it('INR: IMPS, NEFT and RTGS need an account number and an IFSC; UPI a UPI ID', () => {
    expect(eligibleRails(inrBank)).toEqual(['imps', 'neft', 'rtgs']);
    expect(eligibleRails(inrUpi)).toEqual(['upi']);
    expect(eligibleRails({ ...inrBank, upiId: '1111111111@ybl' })).toEqual(['imps', 'neft', 'rtgs', 'upi']);
    expect(eligibleRails({ ...inrBank, localRoutingNumber: 'HDFC1001234' })).toEqual([]);
    expect(eligibleRails({ ...inrBank, accountNumber: undefined })).toEqual([]);
    expect(eligibleRails({ ...inrBank, accountNumber: '   ' })).toEqual([]);
    expect(eligibleRails({ currency: 'INR', upiId: 'not-a-vpa' })).toEqual([]);
    expect(eligibleRails({ ...inrBank, currency: 'inr' })).toEqual(['imps', 'neft', 'rtgs']);
  });

  it('local rails serve only their own currency', () => {
    expect(eligibleRails({ ...inrBank, currency: 'USD' })).toEqual([]);
    expect(eligibleRails({ ...inrUpi, currency: 'AED' })).toEqual([]);
    expect(eligibleRails({ ...gbpDomestic, currency: 'EUR' })).toEqual([]);
    expect(eligibleRails({ ...aedIban, currency: 'INR' })).toEqual([]);
  });

  it('AED: IPP and FTS need an AE IBAN, which also reaches SWIFT', () => {
    expect(eligibleRails(aedIban)).toEqual(['swift', 'ipp', 'fts']);
    expect(eligibleRails({ ...aedIban, accountNumber: 'ae07 0331 2345 6789 0123 456' })).toEqual(['swift', 'ipp', 'fts']);
    expect(eligibleRails({ ...aedIban, accountNumber: DE_IBAN })).toEqual([]);
    expect(eligibleRails({ ...aedIban, accountNumber: 'AE070331234567890123457' })).toEqual([]);
    expect(eligibleRails({ ...aedIban, accountNumber: '0331234567890123456' })).toEqual([]);
  });

  it('EUR: SEPA needs an IBAN, which also reaches SWIFT', () => {
    expect(eligibleRails(eurIban)).toEqual(['swift', 'sepa']);
    expect(eligibleRails({ ...eurIban, accountNumber: 'FR1420041010050500013M02606' })).toEqual(['swift', 'sepa']);
    expect(eligibleRails({ ...eurIban, accountNumber: 'DE89370400440532013001' })).toEqual([]);
    expect(eligibleRails({ ...eurIban, accountNumber: '0532013000', localRoutingNumber: '37040044' })).toEqual([]);
  });

  it('GBP: FPS needs an 8-digit account number and a sort code; a GB IBAN alone does not qualify', () => {
    expect(eligibleRails(gbpDomestic)).toEqual(['fps']);
    expect(eligibleRails({ ...gbpDomestic, localRoutingNumber: '60-16-13' })).toEqual(['fps']);
    expect(eligibleRails({ currency: 'GBP', accountNumber: GB_IBAN })).toEqual([]);
    expect(eligibleRails({ currency: 'GBP', accountNumber: GB_IBAN, localRoutingNumber: '601613' })).toEqual([]);
    expect(eligibleRails({ ...gbpDomestic, accountNumber: '1234567' })).toEqual([]);
    expect(eligibleRails({ ...gbpDomestic, localRoutingNumber: undefined })).toEqual([]);
    expect(eligibleRails({ currency: 'GBP', accountNumber: GB_IBAN, swiftCode: 'WESTGB22' })).toEqual(['swift']);
  });

  it('SWIFT: any currency with a valid BIC and an account number', () => {
    expect(eligibleRails(usdSwift)).toEqual(['swift']);
    expect(eligibleRails({ ...usdSwift, currency: 'SGD' })).toEqual(['swift']);
    expect(eligibleRails({ ...usdSwift, currency: 'INR' })).toEqual(['swift']);
    expect(eligibleRails({ ...usdSwift, accountNumber: undefined })).toEqual([]);
    expect(eligibleRails({ ...usdSwift, swiftCode: 'CHASUS3' })).toEqual([]);
    expect(eligibleRails({ ...usdSwift, swiftCode: 'CHASUS33X' })).toEqual([]);
    expect(eligibleRails({ ...usdSwift, swiftCode: '' })).toEqual([]);
    // An IBAN reaches SWIFT without a BIC only for AED and EUR accounts.
    expect(eligibleRails({ currency: 'USD', accountNumber: DE_IBAN })).toEqual([]);
    expect(eligibleRails({ currency: 'USD', accountNumber: '000123456789', localRoutingNumber: '021000021' })).toEqual([]);
  });

  it('SWIFT: the BIC (or the IBAN) must be of the bank address country, when it is known', () => {
    expect(eligibleRails({ ...usdSwift, bankCountry: 'USA' })).toEqual(['swift']);
    expect(eligibleRails({ ...usdSwift, bankCountry: 'usa' })).toEqual(['swift']);
    expect(eligibleRails({ ...usdSwift, bankCountry: 'GBR' })).toEqual([]);
    expect(eligibleRails({ ...usdSwift, bankCountry: 'XYZ' })).toEqual([]);
    expect(eligibleRails({ ...aedIban, bankCountry: 'ARE' })).toEqual(['swift', 'ipp', 'fts']);
    expect(eligibleRails({ ...aedIban, bankCountry: 'IND' })).toEqual(['ipp', 'fts']);
    expect(eligibleRails({ ...eurIban, bankCountry: 'FRA' })).toEqual(['sepa']);
    // A BIC of the right country still reaches SWIFT when the IBAN's country differs.
    expect(eligibleRails({ ...eurIban, swiftCode: 'BNPAFRPP', bankCountry: 'FRA' })).toEqual(['swift', 'sepa']);
  });

  it('only ever answers rails of the enum, local ones of the target currency, in enum order', () => {
    const text = (values: string[]) => fc.option(fc.constantFrom(...values), { nil: undefined });
    const target = fc.record({
      currency: fc.constantFrom('INR', 'AED', 'EUR', 'GBP', 'USD', 'aud'),
      accountNumber: text([AE_IBAN, DE_IBAN, GB_IBAN, '12345678', '50100123456789', '']),
      swiftCode: text(['CHASUS33', 'DEUTDEFF500', 'BAD', 'EBILAEAD']),
      localRoutingNumber: text(['HDFC0001234', '601613', '021000021']),
      upiId: text(['1111111111@ybl', 'x']),
      bankCountry: text(['USA', 'DEU', 'ARE', 'GBR']),
    }, { requiredKeys: ['currency'] });
    fc.assert(fc.property(target, (t) => {
      const rails = eligibleRails(t);
      expect(rails).toEqual(PAYMENT_RAILS.filter((rail) => rails.includes(rail)));
      const local = LOCAL_RAILS[t.currency.toUpperCase()] ?? [];
      for (const rail of rails) if (rail !== SWIFT_RAIL) expect(local).toContain(rail);
      if (rails.includes(SWIFT_RAIL)) expect(chooseRail(t)).toEqual({ ok: true, rail: SWIFT_RAIL });
      else expect(chooseRail(t)).toEqual({ ok: false, error: 'no_rails_available' });
    }), { numRuns: 500 });
  });
});

describe('chooseRail', () => {
  it('omitted: SWIFT when the beneficiary has SWIFT details, never a local rail', () => {
    expect(chooseRail(usdSwift)).toEqual({ ok: true, rail: 'swift' });
    expect(chooseRail(aedIban)).toEqual({ ok: true, rail: 'swift' });
    expect(chooseRail(inrBank)).toEqual({ ok: false, error: 'no_rails_available' });
    expect(chooseRail(gbpDomestic)).toEqual({ ok: false, error: 'no_rails_available' });
  });

  it('requested: must be in the enum, then eligible', () => {
    expect(chooseRail(inrBank, 'neft')).toEqual({ ok: true, rail: 'neft' });
    expect(chooseRail(inrUpi, 'upi')).toEqual({ ok: true, rail: 'upi' });
    expect(chooseRail(aedIban, 'ipp')).toEqual({ ok: true, rail: 'ipp' });
    expect(chooseRail(gbpDomestic, 'fps')).toEqual({ ok: true, rail: 'fps' });
    expect(chooseRail(inrUpi, 'neft')).toEqual({ ok: false, error: 'rail_not_eligible' });
    expect(chooseRail(inrBank, 'swift')).toEqual({ ok: false, error: 'rail_not_eligible' });
    expect(chooseRail(inrBank, 'sepa')).toEqual({ ok: false, error: 'rail_not_eligible' });
    expect(chooseRail(inrBank, 'npp')).toEqual({ ok: false, error: 'unknown_rail' });
    expect(chooseRail(inrBank, 'NEFT')).toEqual({ ok: false, error: 'unknown_rail' });
    expect(chooseRail(inrBank, '')).toEqual({ ok: false, error: 'unknown_rail' });
  });

  it('has the API texts of its refusals', () => {
    expect(railRefusalMessage('no_rails_available')).toBe('No rails available for this beneficiary');
    expect(railRefusalMessage('rail_not_eligible', 'neft')).toBe('Payment rail neft is not available for this beneficiary');
    expect(railRefusalMessage('unknown_rail', 'npp')).toBe('Payment rail must be one of: swift, imps, neft, rtgs, upi, ipp, fts, sepa, fps');
  });
});

describe('rail limits', () => {
  it('IPP carries up to AED 50,000.00', () => {
    expect(railLimit('ipp', 'AED')).toEqual({ rail: 'ipp', currency: 'AED', max: 5_000_000n });
    expect(railLimit('ipp', 'aed')?.max).toBe(5_000_000n);
    expect(checkRailAmount('ipp', 'AED', 5_000_000n)).toEqual({ ok: true });
    expect(checkRailAmount('ipp', 'AED', 5_000_001n)).toEqual({ ok: false, error: 'above_rail_limit', limit: { rail: 'ipp', currency: 'AED', max: 5_000_000n } });
  });

  it('no other limit is known', () => {
    expect(railLimit('fts', 'AED')).toBeUndefined();
    expect(railLimit('swift', 'AED')).toBeUndefined();
    for (const rail of PAYMENT_RAILS) expect(checkRailAmount(rail, 'AED', 10n ** 15n).ok, rail).toBe(rail !== 'ipp');
    expect(checkRailAmount('neft', 'INR', 10n ** 15n)).toEqual({ ok: true });
  });

  it('every limit belongs to a rail that serves its currency', () => {
    for (const limit of RAIL_LIMITS) {
      expect(isPaymentRail(limit.rail)).toBe(true);
      if (limit.rail !== SWIFT_RAIL) expect(LOCAL_RAILS[limit.currency]).toContain(limit.rail);
      expect(limit.max > 0n).toBe(true);
    }
  });
});

describe('country codes', () => {
  it('map every ISO 3166-1 alpha-3 code to a distinct alpha-2 code', () => {
    expect(new Set(ALPHA2_BY_ALPHA3.keys())).toEqual(new Set(COUNTRY_ALPHA3));
    expect(new Set(ALPHA2_BY_ALPHA3.values()).size).toBe(ALPHA2_BY_ALPHA3.size);
    for (const alpha2 of ALPHA2_BY_ALPHA3.values()) expect(alpha2).toMatch(/^[A-Z]{2}$/);
    expect(['GBR', 'ARE', 'IND', 'DEU', 'USA', 'IRL', 'CHE', 'SGP', 'AUS'].map((c) => ALPHA2_BY_ALPHA3.get(c)))
      .toEqual(['GB', 'AE', 'IN', 'DE', 'US', 'IE', 'CH', 'SG', 'AU']);
  });
});
