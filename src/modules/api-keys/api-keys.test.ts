import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse } from '../../../test/support/contract.js';
import { describeSecurity } from '../../../test/support/security.js';

describe('POST /api/v1/api-keys/rotate', () => {
  const clock = new ManualClock('2026-05-13T11:10:57Z');
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ clock }));
  });

  const rotate = (key: string, payload: unknown) =>
    app.inject({ method: 'POST', url: '/api/v1/api-keys/rotate', headers: bearer(key), payload: payload as Record<string, unknown> });
  const status = async (key: string) => (await app.inject({ method: 'GET', url: '/api/v1/customer', headers: bearer(key) })).statusCode;

  it('issues a new key at once; the previous one works until the chosen expiry, then answers 401', async () => {
    const merchant = await createTestMerchant(clock);
    const response = await rotate(merchant.sandboxSecret, { expire_after_in_seconds: 3600 });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expectResponse('post', '/api-keys/rotate', 200, body, '2026');
    expect(body.previous_key_expires_at).toBe('2026-05-13T12:10:57Z');
    expect(body.secret_key).not.toBe(merchant.sandboxSecret);

    expect(await status(body.secret_key)).toBe(200);
    expect(await status(merchant.sandboxSecret)).toBe(200);
    clock.advance(3599_000);
    expect(await status(merchant.sandboxSecret)).toBe(200);
    clock.advance(1_000);
    expect(await status(merchant.sandboxSecret)).toBe(401);
    expect(await status(body.secret_key)).toBe(200);
  });

  it('with 0 seconds revokes the previous key immediately, and leaves the other environment alone', async () => {
    const merchant = await createTestMerchant(clock);
    const response = await rotate(merchant.sandboxSecret, { expire_after_in_seconds: 0 });
    expect(response.statusCode).toBe(200);
    expect(await status(merchant.sandboxSecret)).toBe(401);
    expect(await status(response.json().secret_key)).toBe(200);
    expect(await status(merchant.productionSecret)).toBe(200);
  });

  it('the new key belongs to the same merchant and environment', async () => {
    const merchant = await createTestMerchant(clock);
    const created = await app.inject({
      method: 'POST', url: '/api/v1/customer', headers: bearer(merchant.productionSecret),
      payload: { name: 'Jane Roe', customer_type: 'individual', email: 'jane@example.com', address: '1 Road', city: 'Pune', state: 'MH', country: 'IND', pincode: '411001' },
    });
    expect(created.statusCode).toBe(201);
    const rotated = (await rotate(merchant.productionSecret, { expire_after_in_seconds: 60 })).json();
    const seen = await app.inject({ method: 'GET', url: `/api/v1/customer/${created.json().id}`, headers: bearer(rotated.secret_key) });
    expect(seen.statusCode).toBe(200);
  });

  it('a second rotation shortens, never extends, an earlier key\'s window', async () => {
    const merchant = await createTestMerchant(clock);
    const first = (await rotate(merchant.sandboxSecret, { expire_after_in_seconds: 600 })).json();
    await rotate(first.secret_key, { expire_after_in_seconds: 6000 });
    clock.advance(601_000);
    expect(await status(merchant.sandboxSecret)).toBe(401);
    expect(await status(first.secret_key)).toBe(200);
  });

  let merchant: TestMerchant;
  it.each([
    [{ expire_after_in_seconds: 'soon' }, 'Validation failed: Expire after in seconds must be an integer'],
    [{ expire_after_in_seconds: 1.5 }, 'Validation failed: Expire after in seconds must be an integer'],
    [{ expire_after_in_seconds: '60' }, 'Validation failed: Expire after in seconds must be an integer'],
    [{ expire_after_in_seconds: -1 }, 'Validation failed: Expire after in seconds must be between 0 and 604800'],
    [{ expire_after_in_seconds: 604801 }, 'Validation failed: Expire after in seconds must be between 0 and 604800'],
    [{}, "Validation failed: Expire after in seconds can't be blank"],
  ])('answers 400 for %o and keeps the key working', async (payload, message) => {
    merchant ??= await createTestMerchant(clock);
    const response = await rotate(merchant.sandboxSecret, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
    expect(await status(merchant.sandboxSecret)).toBe(200);
  });
});

describeSecurity('POST /api/v1/api-keys/rotate', {
  method: 'POST',
  url: () => '/api/v1/api-keys/rotate',
  payload: () => ({ expire_after_in_seconds: 60 }),
});
