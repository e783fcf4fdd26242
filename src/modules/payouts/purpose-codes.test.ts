import { describe, expect, it } from 'vitest';
import { PAYMENT_RAILS } from './rails.js';
import {
  checkPayoutPurpose,
  LRS_REPATRIATION_PURPOSE,
  PAYOUT_PURPOSE_CODES,
  payoutPurpose,
  purposeRefusalMessage,
  requiredDocuments,
} from './purpose-codes.js';

// notes-payouts §10, written out again by hand as numbers, independently of the module's table.
const span = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);
const EXPECTED_GROUPS: Record<string, number[]> = {
  'Capital Account': [17, 19, 26, 27, 99],
  'Foreign Direct Investments': span(3, 8),
  'Foreign Portfolio Investments': [1, 2, 9, 10],
  Loans: [11, 12, 13],
  'Banking Capital': [14, 15, 16],
  'Financial Derivatives and Others': span(20, 23),
  'External Assistance': [24, 25],
  'Merchandise imports': [101, 102, 103, 104, 108, 109],
  Transport: [...span(201, 212), ...span(214, 224)],
  Travel: [301, 303, 304, 305, 306],
  'Construction services': [501, 502],
  'Insurance and Pension': [601, 602, 603, 605, ...span(607, 612)],
  'Financial Services': [701, 702, 703],
  'Telecom, Computer & Information': span(801, 809),
  'Intellectual property charges': [901, 902],
  'Other Business Services': [...span(1002, 1011), ...span(1013, 1018), ...span(1020, 1023), 1099],
  'Personal, Cultural & Recreational': [1101, ...span(1103, 1109)],
  'Government n.i.e.': [1201, 1202],
  'Secondary Income': span(1301, 1307),
  'Primary Income': [1401, 1402, 1403, 1405, ...span(1408, 1412)],
  Others: [...span(1501, 1505), 0],
  'Maintenance and repair': [1601, 1602],
  'Manufacturing services': [1701],
};
const code = (n: number) => `S${String(n).padStart(4, '0')}`;
const NO_DOCUMENTS = ['S0017', 'S0019', 'S0011', 'S0301', 'S0501', 'S0601', 'S1107', 'S1108', 'S1109', 'S1301', 'S1304', 'S1306'];
const INVOICE_SHIPPING_TRADE = ['S0103', 'S0109', 'S0802', 'S0807'];

describe('the published payout list', () => {
  it('holds exactly the codes of the notes, each in its group', () => {
    const expected = new Map(Object.entries(EXPECTED_GROUPS).flatMap(([group, numbers]) => numbers.map((n) => [code(n), group] as const)));
    expect(expected.size).toBe(143);
    expect(PAYOUT_PURPOSE_CODES.size).toBe(143);
    for (let n = 0; n <= 9999; n++) {
      expect(PAYOUT_PURPOSE_CODES.get(code(n))?.group, code(n)).toBe(expected.get(code(n)));
    }
  });

  it('leaves out every gap of the published ranges', () => {
    const gaps = [
      'S0018', 'S0028', 'S0098', 'S0100', 'S0105', 'S0106', 'S0107', 'S0110', 'S0200', 'S0213', 'S0225', 'S0302',
      'S0307', 'S0503', 'S0604', 'S0606', 'S0613', 'S0704', 'S0810', 'S0903', 'S1001', 'S1012', 'S1019', 'S1024',
      'S1098', 'S1100', 'S1102', 'S1110', 'S1203', 'S1308', 'S1404', 'S1406', 'S1407', 'S1413', 'S1506', 'S1603',
      'S1702', 'S9999',
    ];
    for (const gap of gaps) expect(payoutPurpose(gap), gap).toBeUndefined();
    for (const edge of ['S0201', 'S0212', 'S0214', 'S0224', 'S1002', 'S1011', 'S1013', 'S1018', 'S1020', 'S1023', 'S1099', 'S1103', 'S1106', 'S1408', 'S1412']) {
      expect(payoutPurpose(edge)?.code, edge).toBe(edge);
    }
  });

  it('requires documents as the legend says', () => {
    for (const entry of PAYOUT_PURPOSE_CODES.values()) {
      const expected = NO_DOCUMENTS.includes(entry.code) ? 'none' : INVOICE_SHIPPING_TRADE.includes(entry.code) ? 'IST' : 'I';
      expect(entry.documents, entry.code).toBe(expected);
    }
  });

  it('keeps the notes\' glosses', () => {
    expect(payoutPurpose('S0000')).toEqual({ code: 'S0000', group: 'Others', documents: 'I', description: 'Self Transfer' });
    expect(payoutPurpose('S0109')).toEqual({ code: 'S0109', group: 'Merchandise imports', documents: 'IST', description: 'Nepal/Bhutan imports' });
    expect(payoutPurpose('S1301')?.description).toBe('family maintenance');
    expect(payoutPurpose('S0807')?.description).toBe('off-site software imports');
    expect(payoutPurpose('S0017')).toEqual({ code: 'S0017', group: 'Capital Account', documents: 'none' });
  });
});

describe('payoutPurpose', () => {
  it('takes any case and answers the upper-case code', () => {
    expect(payoutPurpose('s1006')?.code).toBe('S1006');
    expect(payoutPurpose(' S1006 ')?.code).toBe('S1006');
    for (const other of ['', 'S017', 'S00170', 'SS0017', 'PYR002', 'P0001', 'P0103', '0017']) expect(payoutPurpose(other), other).toBeUndefined();
  });
});

describe('checkPayoutPurpose', () => {
  it('accepts every published code on every rail and without one', () => {
    for (const entry of PAYOUT_PURPOSE_CODES.values()) {
      expect(checkPayoutPurpose(entry.code)).toEqual({ ok: true, entry });
      for (const rail of PAYMENT_RAILS) expect(checkPayoutPurpose(entry.code.toLowerCase(), rail), `${entry.code} ${rail}`).toEqual({ ok: true, entry });
    }
  });

  it('refuses payin codes, except P0001 on NEFT', () => {
    for (const payin of ['P0103', 'p1006', 'P0002', 'P1401', 'P9999', 'P0000']) {
      expect(checkPayoutPurpose(payin, 'neft'), payin).toEqual({ ok: false, error: 'payin_code' });
      expect(checkPayoutPurpose(payin), payin).toEqual({ ok: false, error: 'payin_code' });
    }
    expect(checkPayoutPurpose('P0001', 'neft')).toEqual({ ok: true, entry: LRS_REPATRIATION_PURPOSE });
    expect(checkPayoutPurpose(' p0001 ', 'neft')).toEqual({ ok: true, entry: LRS_REPATRIATION_PURPOSE });
    for (const rail of PAYMENT_RAILS.filter((r) => r !== 'neft')) {
      expect(checkPayoutPurpose('P0001', rail), rail).toEqual({ ok: false, error: 'not_valid_for_rail' });
    }
    expect(checkPayoutPurpose('P0001')).toEqual({ ok: false, error: 'not_valid_for_rail' });
  });

  it('refuses codes that are not published', () => {
    for (const unknown of ['S0213', 'S1012', 'S1019', 'S0018', 'PYR002', 'P00001', 'XYZ', '', 'S12345']) {
      expect(checkPayoutPurpose(unknown, 'swift'), unknown).toEqual({ ok: false, error: 'unknown_code' });
    }
  });

  it('has the API texts of its refusals', () => {
    expect(purposeRefusalMessage('not_valid_for_rail', 'P0001')).toBe('not a valid purpose code for the selected payment rail');
    expect(purposeRefusalMessage('payin_code', 'p0103')).toBe('Purpose code P0103 is a payin purpose code and cannot be used for a payout');
    expect(purposeRefusalMessage('unknown_code', 'S0213')).toBe('Purpose code is invalid');
  });
});

describe('requiredDocuments', () => {
  it('lists the document kinds of the legend', () => {
    expect(requiredDocuments(payoutPurpose('S0017')!)).toEqual([]);
    expect(requiredDocuments(payoutPurpose('S1006')!)).toEqual(['invoice']);
    expect(requiredDocuments(payoutPurpose('S0000')!)).toEqual(['invoice']);
    expect(requiredDocuments(payoutPurpose('S0802')!)).toEqual(['invoice', 'shipping_date', 'trade_documents']);
  });

  it('asks a consent letter of an LRS repatriation', () => {
    expect(requiredDocuments(LRS_REPATRIATION_PURPOSE)).toEqual(['consent_letter']);
  });
});
