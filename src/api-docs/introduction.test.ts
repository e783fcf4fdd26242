// The introduction served in /openapi.json and /docs: its tables come from the code, and its verification snippets
// verify real webhook signatures (Node here; Python when python3 is installed).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test/support/app.js';
import { signBody } from '../webhooks/delivery/signature.js';
import { SANDBOX_OTP, TEST_CARDS } from '../modules/payments/cards.js';
import { SIMULATED_RAIL_FAILURES } from '../modules/payouts/jobs.js';

async function served(): Promise<string> {
  const { app } = await buildTestApp({ env: { PUBLIC_URL: 'https://pay.example.com' } });
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { info: { description: string } };
  await app.close();
  return document.info.description;
}

function snippet(text: string, language: 'js' | 'python'): string {
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(text);
  if (!match) throw new Error(`no ${language} snippet`);
  return match[1]!;
}

const hasPython = (() => {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

describe('the API introduction', () => {
  let text: string;
  beforeAll(async () => {
    text = await served();
  }, 120_000);

  it('lists every test card, the OTP, every payout failure ending and both retry schedules, with this server\'s URL', () => {
    for (const [number, card] of TEST_CARDS) {
      expect(text).toContain(`| \`${number.replace(/(\d{4})(?=\d)/g, '$1 ')}\` | ${card.network} |`);
    }
    expect(text).toContain(`one-time password \`${SANDBOX_OTP}\``);
    for (const [ending, error] of Object.entries(SIMULATED_RAIL_FAILURES)) expect(text).toContain(`| \`…${ending}\` | \`${error.code}\` |`);
    expect(text).toContain('retried after 1 min, 2 min, 5 min, 10 min, 30 min (5 retries) in sandbox');
    expect(text).toContain('1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h, 1 d, 2 d (9 retries) in production');
    expect(text).toContain('curl -H "Authorization: Bearer $KEY" https://pay.example.com/api/v1/customer');
    expect(text).toContain('https://pay.example.com/checkout/{order_id}?public_key=');
    expect(text).toContain('https://pay.example.com/payin/pl/{id}');
    expect(text).toContain('import `GlomoCheckoutApi` from `https://pay.example.com/checkout/sdk/index.js`');
    expect(text).not.toMatch(/\{\{[A-Z_]+\}\}/);
  });

  it("has a Node snippet that accepts the server's signature and refuses a changed body or a wrong secret", () => {
    const code = snippet(text, 'js');
    const module = { exports: {} as Record<string, unknown> };
    new Function('require', 'module', `${code}\nmodule.exports.verify = verifyGlomoWebhook;`)(createRequire(import.meta.url), module);
    const verify = module.exports.verify as (secret: string, body: Buffer, signature: string) => boolean;
    const body = Buffer.from('{"data":{"id":"cust_1"},"entity_type":"customer","event_type":"created"}');
    const signature = signBody('whsec_test', body);
    expect(verify('whsec_test', body, signature)).toBe(true);
    expect(verify('whsec_test', Buffer.from(`${body.toString()} `), signature)).toBe(false);
    expect(verify('whsec_other', body, signature)).toBe(false);
    expect(verify('whsec_test', body, 'not-hex')).toBe(false);
  });

  it.skipIf(!hasPython)('has a Python snippet that does the same', () => {
    const code = snippet(text, 'python');
    const body = '{"data":{"id":"cust_1"},"entity_type":"customer","event_type":"created"}';
    const signature = signBody('whsec_test', body);
    const run = (secret: string, raw: string, sig: string) => execFileSync('python3', ['-c',
      `${code}\nimport sys\nprint(verify_glomo_webhook(sys.argv[1], sys.argv[2].encode(), sys.argv[3]))`, secret, raw, sig]).toString().trim();
    expect(run('whsec_test', body, signature)).toBe('True');
    expect(run('whsec_test', `${body} `, signature)).toBe('False');
    expect(run('whsec_other', body, signature)).toBe('False');
  });
});
