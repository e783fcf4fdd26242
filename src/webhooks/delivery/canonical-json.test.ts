import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonBytes, CanonicalJsonError } from './canonical-json.js';
import { signBody, verifySignature } from './signature.js';

// /work/shared/api/notes-payouts.md section 11.3: the body Glomo signs and its signature.
const GLOMO_SECRET = 'whsec_2f1c9b7a4d6e8031';
const GLOMO_BODY =
  '{"data":{"amount":250000,"beneficiary":{"country":"DEU","name":"Acme GmbH"},"created_at":"2026-09-09T07:00:09Z",' +
  '"currency":"USD","id":"payout_6a8fd80eo6coZ","status":"success"},"entity_type":"payout","event_type":"success"}';
const GLOMO_SIGNATURE = 'd5b5a68b9729f41c4a46f1e94c750bf10fb32f345a5467cbfec7739df83f2c02';

/** The IEEE 754 double with these 64 bits, as RFC 8785 appendix B lists them. */
function double(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalJson (RFC 8785)', () => {
  it("reproduces Glomo's signed body from an event in any key order", () => {
    const event = {
      event_type: 'success',
      data: {
        status: 'success',
        id: 'payout_6a8fd80eo6coZ',
        currency: 'USD',
        created_at: '2026-09-09T07:00:09Z',
        beneficiary: { name: 'Acme GmbH', country: 'DEU' },
        amount: 250000,
      },
      entity_type: 'payout',
    };
    const body = canonicalJsonBytes(event);
    expect(body.toString('utf8')).toBe(GLOMO_BODY);
    expect(body).toHaveLength(223);
    expect(signBody(GLOMO_SECRET, body)).toBe(GLOMO_SIGNATURE);
  });

  it('serialises the example of RFC 8785 section 3.2.2 (numbers, string escapes, literals)', () => {
    // The RFC's input, parsed as JSON so the number literals go through the same double conversion.
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    expect(canonicalJson(input)).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 section 3.2.3)', () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`);
    // Checked on the text: JSON.parse would put the integer-like key "1" first again.
    const text = canonicalJson(input);
    const values = [...text.matchAll(/:"([^"]+)"/g)].map((match) => match[1]);
    expect(values).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
    // An astral character (a surrogate pair, 0xD83D...) sorts before U+FB33 by code units, after it by code points.
    expect(text.indexOf('\u{1F600}')).toBeLessThan(text.indexOf('\uFB33'));
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('writes the double %s as %s (RFC 8785 appendix B)', (bits, expected) => {
    expect(canonicalJson(double(bits))).toBe(expected);
    expect(canonicalJson([double(bits)])).toBe(`[${expected}]`);
  });

  it('writes strings with the minimal escapes, non-ASCII literally and / unescaped', () => {
    expect(canonicalJson('a/b')).toBe('"a/b"');
    expect(canonicalJson('Zürich € 😀')).toBe('"Zürich € 😀"');
    expect(canonicalJson('\b\f\n\r\t"\\')).toBe(String.raw`"\b\f\n\r\t\"\\"`);
    expect(canonicalJson('\u0000\u001f\u007f')).toBe('"\\u0000\\u001f\u007f"');
    expect(canonicalJson('\u2028\u2029')).toBe('"\u2028\u2029"');
  });

  it('keeps array order, sorts nested objects, writes no whitespace, and leaves out undefined members', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: [] }, 'x'], a: {}, c: undefined, d: null })).toBe('{"a":{},"b":[3,{"a":[],"z":1},"x"],"d":null}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(new Date('2026-09-09T07:00:09Z'))).toBe('"2026-09-09T07:00:09.000Z"');
  });

  it.each([
    ['NaN', { amount: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['-Infinity', -Infinity],
    ['a bigint', { amount: 10n }],
    ['undefined in an array', [1, undefined]],
    ['undefined at the top', undefined],
    ['a function', { f: () => 1 }],
    ['a symbol', [Symbol('s')]],
    ['a lone high surrogate', '\uD83D'],
    ['a lone low surrogate in a key', { '\uDE00': 1 }],
  ])('refuses %s', (_label, value) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
  });

  it('refuses a cycle but not a shared (acyclic) object', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(CanonicalJsonError);
  });

  it('is JSON.parse-compatible and stable under a round trip', () => {
    const value = { z: [1.5, -0, 1e21, 'é'], a: { y: null, b: false } };
    const once = canonicalJson(value);
    expect(canonicalJson(JSON.parse(once))).toBe(once);
    expect(once).toBe('{"a":{"b":false,"y":null},"z":[1.5,0,1e+21,"é"]}');
  });
});

describe('signBody and verifySignature', () => {
  it('signs with lowercase hex HMAC-SHA256 (the notes test vector) and verifies bytes and text alike', () => {
    expect(signBody(GLOMO_SECRET, GLOMO_BODY)).toBe(GLOMO_SIGNATURE);
    expect(signBody(GLOMO_SECRET, Buffer.from(GLOMO_BODY))).toBe(GLOMO_SIGNATURE);
    expect(verifySignature(GLOMO_SECRET, Buffer.from(GLOMO_BODY), GLOMO_SIGNATURE)).toBe(true);
  });

  it('refuses another secret, a changed byte, upper case, a sha256= prefix and garbage', () => {
    expect(verifySignature('whsec_other', GLOMO_BODY, GLOMO_SIGNATURE)).toBe(false);
    expect(verifySignature(GLOMO_SECRET, GLOMO_BODY.replace('250000', '250001'), GLOMO_SIGNATURE)).toBe(false);
    expect(verifySignature(GLOMO_SECRET, `${GLOMO_BODY} `, GLOMO_SIGNATURE)).toBe(false);
    expect(verifySignature(GLOMO_SECRET, GLOMO_BODY, GLOMO_SIGNATURE.toUpperCase())).toBe(false);
    expect(verifySignature(GLOMO_SECRET, GLOMO_BODY, `sha256=${GLOMO_SIGNATURE}`)).toBe(false);
    expect(verifySignature(GLOMO_SECRET, GLOMO_BODY, 'nope')).toBe(false);
  });
});
