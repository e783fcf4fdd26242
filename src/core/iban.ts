// IBANs (ISO 13616): print form to electronic form, the per-country length and the mod-97 check digits.

/**
 * IBAN length per country (SWIFT IBAN registry). The countries payouts meet, plus the rest of SEPA and the Gulf;
 * any other country is accepted at 15 to 34 characters, so a registry addition is not refused before it is listed.
 */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AT: 20, BE: 16, BG: 22, BH: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18,
  FR: 27, GB: 22, GR: 27, HR: 21, HU: 28, IE: 22, IL: 23, IS: 26, IT: 27, JO: 30, KW: 30, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PK: 24, PL: 28, PT: 25, QA: 29, RO: 24, SA: 24, SE: 24, SI: 19, SK: 24,
  SM: 27, TR: 26,
};

/** The lengths allowed for a country outside `IBAN_LENGTHS` (ISO 13616: at most 34; no registered IBAN is shorter than 15). */
export const IBAN_FALLBACK_LENGTH = { min: 15, max: 34 } as const;

const IBAN_SHAPE = /^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/;

/** The electronic form: no whitespace, upper case (`gb82 west 1234 …` -> `GB82WEST1234…`). */
export function normalizeIban(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}

/** Whether the input, in print or electronic form, is an IBAN: shape, length for its country and check digits. */
export function isValidIban(input: string): boolean {
  const iban = normalizeIban(input);
  if (!IBAN_SHAPE.test(iban)) return false;
  const country = iban.slice(0, 2);
  const expected = IBAN_LENGTHS[country];
  if (expected !== undefined ? iban.length !== expected : iban.length < IBAN_FALLBACK_LENGTH.min || iban.length > IBAN_FALLBACK_LENGTH.max) {
    return false;
  }
  // The check digits are 98 − remainder, so 02..98: 00, 01 and 99 pass mod-97 exactly when 97, 98 and 02 would.
  const checkDigits = Number(iban.slice(2, 4));
  if (checkDigits < 2 || checkDigits > 98) return false;
  return mod97(iban.slice(4) + iban.slice(0, 4)) === 1;
}

/** ISO 13616 check digits for a country (alpha-2) and a BBAN: 98 − (BBAN + country + `00`) mod 97. */
export function ibanCheckDigits(country: string, bban: string): string {
  return String(98 - mod97(`${bban}${country}00`)).padStart(2, '0');
}

/** The ISO 3166-1 alpha-2 country of a valid IBAN (`GB`), undefined when the input is not a valid IBAN. */
export function ibanCountry(input: string): string | undefined {
  return isValidIban(input) ? normalizeIban(input).slice(0, 2) : undefined;
}

// ISO 7064 MOD 97-10 over the rearranged IBAN, letters as 10..35, one character at a time so no number grows past
// 3 digits (the whole IBAN as an integer has up to 68 digits).
function mod97(rearranged: string): number {
  let remainder = 0;
  for (const char of rearranged) {
    const value = Number.parseInt(char, 36);
    remainder = (value < 10 ? remainder * 10 + value : remainder * 100 + value) % 97;
  }
  return remainder;
}
