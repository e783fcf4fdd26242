// Payout purpose codes (notes-payouts §10): Glomo's published list, the refusal of payin codes, and the documents a
// code requires. See decisions/0014.
import type { PaymentRail } from './rails.js';

/** The published legend: `none` (shown as `—`), `I` invoice, `IST` invoice + shipping date + trade documents. */
export type DocumentRequirement = 'none' | 'I' | 'IST';
export type DocumentKind = 'invoice' | 'shipping_date' | 'trade_documents' | 'consent_letter';

export interface PurposeCode {
  /** Upper case: `S0017`. */
  code: string;
  group: string;
  documents: DocumentRequirement;
  /** The notes' gloss, where they give one. */
  description?: string;
}

// The table of notes §10, row by row as published: `code[–last] requirement [(description)]`; a range is every
// code from the first to the last, and a code absent from the row (S0213, S1012, S1019…) is not published.
const PUBLISHED_TABLE: readonly (readonly [group: string, codes: string])[] = [
  ['Capital Account', 'S0017 —, S0019 —, S0026 I, S0027 I, S0099 I'],
  ['Foreign Direct Investments', 'S0003 I, S0004 I, S0005 I, S0006 I, S0007 I, S0008 I'],
  ['Foreign Portfolio Investments', 'S0001 I, S0002 I, S0009 I, S0010 I'],
  ['Loans', 'S0011 —, S0012 I, S0013 I'],
  ['Banking Capital', 'S0014 I, S0015 I, S0016 I'],
  ['Financial Derivatives and Others', 'S0020 I, S0021 I, S0022 I, S0023 I'],
  ['External Assistance', 'S0024 I, S0025 I'],
  ['Merchandise imports', 'S0101 I (advance for imports), S0102 I (import invoice settlement), '
    + 'S0103 IST (diplomatic-mission imports), S0104 I, S0108 I (merchanting), S0109 IST (Nepal/Bhutan imports)'],
  ['Transport', 'S0201–S0212 I, S0214–S0224 I'],
  ['Travel', 'S0301 — (business travel), S0303 I, S0304 I, S0305 I (education), S0306 I'],
  ['Construction services', 'S0501 —, S0502 I'],
  ['Insurance and Pension', 'S0601 —, S0602 I, S0603 I, S0605 I, S0607 I, S0608 I, S0609 I, S0610 I, S0611 I, S0612 I'],
  ['Financial Services', 'S0701 I, S0702 I, S0703 I'],
  ['Telecom, Computer & Information', 'S0801 I, S0802 IST (software consultancy), S0803 I, S0804 I, S0805 I, S0806 I, '
    + 'S0807 IST (off-site software imports), S0808 I, S0809 I'],
  ['Intellectual property charges', 'S0901 I, S0902 I'],
  ['Other Business Services', 'S1002–S1011 I, S1013–S1018 I, S1020–S1023 I, S1099 I'],
  ['Personal, Cultural & Recreational', 'S1101 I, S1103–S1106 I, S1107 —, S1108 —, S1109 —'],
  ['Government n.i.e.', 'S1201 I, S1202 I'],
  ['Secondary Income', 'S1301 — (family maintenance), S1302 I, S1303 I, S1304 —, S1305 I, S1306 —, S1307 I'],
  ['Primary Income', 'S1401 I, S1402 I, S1403 I, S1405 I, S1408–S1412 I'],
  ['Others', 'S1501 I, S1502 I, S1503 I, S1504 I, S1505 I, S0000 I (Self Transfer)'],
  ['Maintenance and repair', 'S1601 I, S1602 I'],
  ['Manufacturing services', 'S1701 I'],
];

const ITEM = /^S(\d{4})(?:–S(\d{4}))? (—|I|IST)(?: \((.+)\))?$/;

function expandTable(): ReadonlyMap<string, PurposeCode> {
  const byCode = new Map<string, PurposeCode>();
  for (const [group, row] of PUBLISHED_TABLE) {
    // Split on the commas between items, not those inside a description.
    for (const item of row.split(/, (?=S\d{4})/)) {
      const match = ITEM.exec(item);
      if (!match) throw new Error(`Unreadable purpose code item "${item}"`);
      const [, first, last, legend, description] = match;
      const documents: DocumentRequirement = legend === '—' ? 'none' : (legend as DocumentRequirement);
      for (let n = Number(first); n <= Number(last ?? first); n++) {
        const code = `S${String(n).padStart(4, '0')}`;
        if (byCode.has(code)) throw new Error(`Purpose code ${code} listed twice`);
        byCode.set(code, { code, group, documents, ...(description === undefined ? {} : { description }) });
      }
    }
  }
  return byCode;
}

/** Every published payout purpose code by code (143 codes). */
export const PAYOUT_PURPOSE_CODES: ReadonlyMap<string, PurposeCode> = expandTable();

/**
 * `P0001`, the one payin code a payout may carry: an LRS repatriation back to an investor, sent on NEFT with a
 * consent letter (notes §10, §13.10). Not part of the published payout list.
 */
export const LRS_REPATRIATION_PURPOSE: Readonly<PurposeCode> & { rail: PaymentRail } = {
  code: 'P0001',
  group: 'LRS repatriation',
  documents: 'none',
  description: 'LRS repatriation',
  rail: 'neft',
};

/** The published entry of a code in any case (`s0017` -> `S0017`), undefined when the code is not published. */
export function payoutPurpose(code: string): PurposeCode | undefined {
  return PAYOUT_PURPOSE_CODES.get(code.trim().toUpperCase());
}

export type PurposeRefusal = 'payin_code' | 'unknown_code' | 'not_valid_for_rail';
export type PurposeCheck = { ok: true; entry: PurposeCode } | { ok: false; error: PurposeRefusal };

/**
 * Whether a payout on `rail` may carry the purpose code. Every published code is valid on every rail (Glomo does not
 * publish a per-rail list); `P0001` only on `neft`, so not without a rail; other `P####` codes are payin codes.
 */
export function checkPayoutPurpose(code: string, rail?: PaymentRail): PurposeCheck {
  const normalized = code.trim().toUpperCase();
  if (normalized === LRS_REPATRIATION_PURPOSE.code) {
    return rail === LRS_REPATRIATION_PURPOSE.rail ? { ok: true, entry: LRS_REPATRIATION_PURPOSE } : { ok: false, error: 'not_valid_for_rail' };
  }
  if (/^P\d{4}$/.test(normalized)) return { ok: false, error: 'payin_code' };
  const entry = PAYOUT_PURPOSE_CODES.get(normalized);
  return entry === undefined ? { ok: false, error: 'unknown_code' } : { ok: true, entry };
}

/** The API text of a refusal: `not_valid_for_rail` is Glomo's (notes §10); the other two are ours. */
export function purposeRefusalMessage(error: PurposeRefusal, code: string): string {
  switch (error) {
    case 'payin_code':
      return `Purpose code ${code.trim().toUpperCase()} is a payin purpose code and cannot be used for a payout`;
    case 'unknown_code':
      return 'Purpose code is invalid';
    case 'not_valid_for_rail':
      return 'not a valid purpose code for the selected payment rail';
  }
}

/** The documents a payout with this purpose must carry, to be matched against the documents attached to it. */
export function requiredDocuments(entry: PurposeCode): DocumentKind[] {
  if (entry.code === LRS_REPATRIATION_PURPOSE.code) return ['consent_letter'];
  switch (entry.documents) {
    case 'none':
      return [];
    case 'I':
      return ['invoice'];
    case 'IST':
      return ['invoice', 'shipping_date', 'trade_documents'];
  }
}
