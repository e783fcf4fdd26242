// MCP credentials for Glomo's MCP server: minted by the merchant or the operator, verified exactly as
// glomo-mcp-server's credential-resolver.ts does with the key this server publishes, then used on this API.
import { createHmac } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify, type JWTVerifyOptions } from 'jose';
import { Value } from 'typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../../test/support/app.js';
import { expectAdminAbsentWithoutToken, expectAdminAuthRefused } from '../../../test/support/admin.js';
import { expectResponse } from '../../../test/support/contract.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { createTestChild, createTestPlatform } from '../../../test/support/platform.js';
import { describeSecurity } from '../../../test/support/security.js';
import { McpCredential, McpCredentialList, McpCredentialWithToken } from './schemas.js';

const MCP_AUDIENCE = 'glomo-mcp';
const THIRTY_DAYS = 30 * 24 * 60 * 60;

/** glomo-mcp-server's verification (src/features/auth/credential-resolver.ts): the same options, nothing added. */
const RESOLVER_OPTIONS: JWTVerifyOptions = {
  algorithms: ['RS256'],
  audience: MCP_AUDIENCE,
  requiredClaims: ['exp', 'iat'],
  clockTolerance: 30,
};

/** Its normalizePem: env dashboards store a PEM with literal backslash-n. */
const normalizePem = (pem: string) => (pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem);

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function publishedPem(app: App): Promise<string> {
  const response = await app.inject({ method: 'GET', url: '/.well-known/glomo-mcp-public-key.pem' });
  expect(response.statusCode).toBe(200);
  return response.body;
}

/** Verifies as the MCP server does, with GLOMO_MCP_PUBLIC_KEY set to what this server publishes. */
async function verifyAsMcpServer(app: App, token: string, currentDate?: Date) {
  const key = await importSPKI(normalizePem(await publishedPem(app)), 'RS256');
  return jwtVerify(token, key, { ...RESOLVER_OPTIONS, ...(currentDate ? { currentDate } : {}) });
}

const mint = (app: App, key: string, payload?: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/mcp_credentials', headers: bearer(key), ...(payload ? { payload } : {}) });

const balances = (app: App, key: string) => app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(key) });

const INVALID = { error: 'Unauthorized', message: 'Auth token expired or invalid', code: 'UNAUTHORIZED' };

describe('MCP credentials, as glomo-mcp-server verifies and uses them', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it('mints an RS256 JWT that the MCP server accepts with the published PEM, and this API accepts as the environment\'s key', async () => {
    const response = await mint(app, merchant.sandboxSecret, { expires_in: 3600 });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expect(Value.Check(McpCredentialWithToken, body)).toBe(true);
    expect(body).toMatchObject({ id: expect.stringMatching(/^key_/), env: 'sandbox', audience: MCP_AUDIENCE, status: 'active', revoked_at: null });

    const { payload, protectedHeader } = await verifyAsMcpServer(app, body.token);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toEqual({ aud: MCP_AUDIENCE, sub: merchant.id, env: 'sandbox', jti: body.id, iat: expect.any(Number), exp: expect.any(Number) });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(new Date(payload.exp! * 1000).toISOString().replace('.000', '')).toBe(body.expires_at);

    // The MCP server forwards it as the bearer (its dispatcher): this API reads the merchant's sandbox.
    const read = await balances(app, body.token);
    expect(read.statusCode, read.body).toBe(200);
    expectResponse('get', '/balances', 200, read.json());
  });

  it('verifies against the JWKS too (kid, RS256, use sig), and lasts MCP_CREDENTIAL_MAX_SECONDS by default', async () => {
    const response = await mint(app, merchant.sandboxSecret);
    expect(response.statusCode, response.body).toBe(201);
    const { token } = response.json();
    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), RESOLVER_OPTIONS);
    expect(payload.exp! - payload.iat!).toBe(THIRTY_DAYS);
    const { kid } = decodeProtectedHeader(token);
    expect(jwks.keys).toContainEqual(expect.objectContaining({ kid, alg: 'RS256', use: 'sig', kty: 'RSA' }));
  });

  it('acts in its environment only: a production credential does not see a sandbox object, nor the reverse', async () => {
    const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(merchant.sandboxSecret), payload: customerBody() });
    expect(customer.statusCode).toBe(201);
    const sandbox = (await mint(app, merchant.sandboxSecret)).json();
    const production = (await mint(app, merchant.productionSecret)).json();
    expect(production.env).toBe('production');
    expect(decodeJwt(production.token).env).toBe('production');
    const url = `/api/v1/customer/${customer.json().id}`;
    expect((await app.inject({ url, headers: bearer(sandbox.token) })).statusCode).toBe(200);
    const other = await app.inject({ url, headers: bearer(production.token) });
    expect(other.statusCode).toBe(404);
  });

  it('answers 401 once revoked (DELETE), idempotently, and the list says revoked', async () => {
    const { token, id } = (await mint(app, merchant.sandboxSecret)).json();
    expect((await balances(app, token)).statusCode).toBe(200);
    const revoked = await app.inject({ method: 'DELETE', url: `/api/v1/mcp_credentials/${id}`, headers: bearer(merchant.sandboxSecret) });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(Value.Check(McpCredential, revoked.json())).toBe(true);
    expect(revoked.json()).toMatchObject({ id, status: 'revoked', revoked_at: expect.any(String) });
    const read = await balances(app, token);
    expect(read.statusCode).toBe(401);
    expect(read.json()).toEqual(INVALID);
    // The MCP server cannot know (it verifies offline): the signature still holds, this API refuses it.
    await expect(verifyAsMcpServer(app, token)).resolves.toBeDefined();

    const again = await app.inject({ method: 'DELETE', url: `/api/v1/mcp_credentials/${id}`, headers: bearer(merchant.sandboxSecret) });
    expect(again.statusCode).toBe(200);
    expect(again.json().revoked_at).toBe(revoked.json().revoked_at);
    const list = (await app.inject({ url: '/api/v1/mcp_credentials', headers: bearer(merchant.sandboxSecret) })).json();
    expect(list.data.find((item: { id: string }) => item.id === id)).toMatchObject({ status: 'revoked' });
    // The secret key that minted it keeps working.
    expect((await balances(app, merchant.sandboxSecret)).statusCode).toBe(200);
  });

  it('refuses an HS256 token keyed with the published public key (PEM and JWK), here and by the MCP server', async () => {
    const { token } = (await mint(app, merchant.sandboxSecret)).json();
    const claims = decodeJwt(token);
    const { kid } = decodeProtectedHeader(token);
    const pem = await publishedPem(app);
    const jwk = JSON.stringify((await app.inject({ url: '/.well-known/jwks.json' })).json().keys[0]);
    for (const secret of [pem, normalizePem(pem).trim(), jwk]) {
      for (const header of [{ alg: 'HS256', typ: 'JWT' }, { alg: 'HS256', typ: 'JWT', kid }]) {
        const input = `${b64url(header)}.${b64url(claims)}`;
        const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
        const response = await balances(app, forged);
        expect(response.statusCode).toBe(401);
        expect(response.json()).toEqual(INVALID);
        await expect(verifyAsMcpServer(app, forged)).rejects.toThrow();
      }
    }
  });

  it('is not a secret key: the MCP server refuses a secret key (its aud is the external API\'s), and the credential may not manage keys', async () => {
    expect(decodeJwt(merchant.sandboxSecret).aud).toBe('glomo-external-api');
    await expect(verifyAsMcpServer(app, merchant.sandboxSecret)).rejects.toThrow();
    // Refused for its audience, whatever else it lacks (it has no exp).
    const key = await importSPKI(await publishedPem(app), 'RS256');
    await expect(jwtVerify(merchant.sandboxSecret, key, { algorithms: ['RS256'], audience: MCP_AUDIENCE })).rejects.toThrow(/unexpected "aud" claim value/);

    const { token } = (await mint(app, merchant.sandboxSecret)).json();
    const refused = { error: 'Unauthorized', message: 'This operation takes a secret key, not an MCP credential', code: 'UNAUTHORIZED' };
    for (const request of [
      { method: 'POST' as const, url: '/api/v1/api-keys/rotate', payload: { expire_after_in_seconds: 0 } },
      { method: 'POST' as const, url: '/api/v1/mcp_credentials', payload: {} },
      { method: 'GET' as const, url: '/api/v1/mcp_credentials' },
      { method: 'DELETE' as const, url: `/api/v1/mcp_credentials/${decodeJwt(token).jti}` },
    ]) {
      const response = await app.inject({ ...request, headers: bearer(token) });
      expect(response.statusCode, request.url).toBe(401);
      expect(response.json()).toEqual(refused);
    }
    // Nothing happened: the secret key still works and the credential is still active.
    expect((await balances(app, merchant.sandboxSecret)).statusCode).toBe(200);
    expect((await balances(app, token)).statusCode).toBe(200);
  });

  it('outlives a rotation of the secret keys (it has its own expiry), and the operator\'s key revocation ends it', async () => {
    const own = await createTestMerchant();
    const { token } = (await mint(app, own.sandboxSecret)).json();
    const rotated = await app.inject({
      method: 'POST', url: '/api/v1/api-keys/rotate', headers: bearer(own.sandboxSecret), payload: { expire_after_in_seconds: 0 },
    });
    expect(rotated.statusCode).toBe(200);
    expect((await balances(app, own.sandboxSecret)).statusCode).toBe(401);
    expect((await balances(app, token)).statusCode).toBe(200);

    const revoke = await app.inject({
      method: 'POST', url: `/admin/v1/merchants/${own.id}/keys/revoke`, headers: bearer(ADMIN_TOKEN), payload: { env: 'sandbox' },
    });
    expect(revoke.statusCode).toBe(200);
    expect(revoke.json().revoked).toBe(3); // the rotated-in secret key, the publishable key and the credential
    expect((await balances(app, token)).statusCode).toBe(401);
  });

  it.each([
    [{ expires_in: THIRTY_DAYS + 1 }, `Validation failed: Expires in must be between 60 and ${THIRTY_DAYS}`],
    [{ expires_in: 59 }, `Validation failed: Expires in must be between 60 and ${THIRTY_DAYS}`],
    [{ expires_in: 1.5 }, 'Validation failed: Expires in must be an integer'],
    [{ expires_in: '3600' }, 'Validation failed: Expires in must be an integer'],
  ])('answers 400 for %o and mints nothing', async (payload, message) => {
    const own = await createTestMerchant();
    const response = await mint(app, own.sandboxSecret, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
    const list = (await app.inject({ url: '/api/v1/mcp_credentials', headers: bearer(own.sandboxSecret) })).json();
    expect(list.data).toEqual([]);
  });

  it('answers 400 for an unknown field', async () => {
    const response = await mint(app, merchant.sandboxSecret, { expires_in: 3600, scope: 'read' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', code: 'VALIDATION_FAILED' });
  });
});

describe('MCP credentials: expiry (the process clock)', () => {
  const clock = new ManualClock('2026-05-13T11:10:57Z');
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ clock }));
  });

  it('answers 401 from its exp on, and the MCP server refuses it 30 s after', async () => {
    const merchant = await createTestMerchant(clock);
    const response = await mint(app, merchant.sandboxSecret, { expires_in: 3600 });
    expect(response.json().expires_at).toBe('2026-05-13T12:10:57Z');
    const { token } = response.json();
    clock.advance(3599_000);
    expect((await balances(app, token)).statusCode).toBe(200);
    clock.advance(1_000);
    const read = await balances(app, token);
    expect(read.statusCode).toBe(401);
    expect(read.json()).toEqual(INVALID);
    const list = (await app.inject({ url: '/api/v1/mcp_credentials', headers: bearer(merchant.sandboxSecret) })).json();
    expect(list.data[0]).toMatchObject({ status: 'expired' });
    // Its 30 s clock tolerance: 29 s past exp it still verifies there, 30 s past it does not.
    await expect(verifyAsMcpServer(app, token, new Date(clock.now().getTime() + 29_000))).resolves.toBeDefined();
    await expect(verifyAsMcpServer(app, token, new Date(clock.now().getTime() + 30_000))).rejects.toThrow(/"exp" claim timestamp check failed/);
  });

  it('with a configured maximum: a longer expires_in answers 400, the maximum itself is minted', async () => {
    const { app: short } = await buildTestApp({ clock, env: { MCP_CREDENTIAL_MAX_SECONDS: '600', MCP_AUDIENCE: 'my-mcp' } });
    const merchant = await createTestMerchant(clock);
    const tooLong = await mint(short, merchant.sandboxSecret, { expires_in: 601 });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().message).toBe('Validation failed: Expires in must be between 60 and 600');
    const minted = await mint(short, merchant.sandboxSecret);
    expect(minted.statusCode).toBe(201);
    const claims = decodeJwt(minted.json().token);
    expect(claims).toMatchObject({ aud: 'my-mcp' });
    expect(claims.exp! - claims.iat!).toBe(600);
    expect((await balances(short, minted.json().token)).statusCode).toBe(200);
  });
});

describe('operator: /admin/v1/merchants/{id}/mcp_credentials', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });
  const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    app.inject({ method, url, headers: bearer(ADMIN_TOKEN), ...(payload ? { payload } : {}) });

  it('mints one for an environment, lists it, and revokes it', async () => {
    const created = await admin('POST', `/admin/v1/merchants/${merchant.id}/mcp_credentials`, { env: 'production', expires_in: 7200 });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ merchant_id: merchant.id, env: 'production', audience: MCP_AUDIENCE, status: 'active' });
    const { payload } = await verifyAsMcpServer(app, body.token);
    expect(payload).toMatchObject({ sub: merchant.id, env: 'production', jti: body.id });
    expect(payload.exp! - payload.iat!).toBe(7200);
    const read = await balances(app, body.token);
    expect(read.statusCode).toBe(200);
    expectResponse('get', '/balances', 200, read.json());

    const sandbox = (await admin('POST', `/admin/v1/merchants/${merchant.id}/mcp_credentials`, { env: 'sandbox' })).json();
    const all = (await admin('GET', `/admin/v1/merchants/${merchant.id}/mcp_credentials`)).json();
    expect(all.data.map((item: { id: string }) => item.id)).toEqual([sandbox.id, body.id]);
    expect(all.data[0]).not.toHaveProperty('token');
    const production = (await admin('GET', `/admin/v1/merchants/${merchant.id}/mcp_credentials?env=production`)).json();
    expect(production.data.map((item: { id: string }) => item.id)).toEqual([body.id]);
    // The merchant's own list shows the operator's credential of its environment.
    const own = (await app.inject({ url: '/api/v1/mcp_credentials', headers: bearer(merchant.productionSecret) })).json();
    expect(own.data.map((item: { id: string }) => item.id)).toEqual([body.id]);

    const revoked = await admin('DELETE', `/admin/v1/merchants/${merchant.id}/mcp_credentials/${body.id}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ id: body.id, merchant_id: merchant.id, status: 'revoked' });
    expect((await balances(app, body.token)).statusCode).toBe(401);
    expect((await balances(app, sandbox.token)).statusCode).toBe(200);
  });

  it('reissuing the keys revokes the credentials too', async () => {
    const own = await createTestMerchant();
    const { token } = (await admin('POST', `/admin/v1/merchants/${own.id}/mcp_credentials`, { env: 'sandbox' })).json();
    expect((await balances(app, token)).statusCode).toBe(200);
    const reissued = await admin('POST', `/admin/v1/merchants/${own.id}/keys/reissue`, { env: 'sandbox' });
    expect(reissued.statusCode).toBe(200);
    expect((await balances(app, token)).statusCode).toBe(401);
    expect((await balances(app, reissued.json().keys.sandbox.secret_key)).statusCode).toBe(200);
  });

  it('answers 400 for a child merchant outside its environment, a missing env or a too long lifetime; 404 for no merchant', async () => {
    const platform = await createTestPlatform();
    const child = await createTestChild(platform, 'sandbox');
    const outside = await admin('POST', `/admin/v1/merchants/${child.id}/mcp_credentials`, { env: 'production' });
    expect(outside.statusCode).toBe(400);
    expect(outside.json()).toEqual({
      error: 'Bad Request', code: 'INVALID_PARAMETER',
      message: "Merchant has no production environment: a child merchant lives in its platform's environment only",
    });
    const inside = await admin('POST', `/admin/v1/merchants/${child.id}/mcp_credentials`, { env: 'sandbox' });
    expect(inside.statusCode).toBe(201);
    expect((await balances(app, inside.json().token)).statusCode).toBe(200);

    expect((await admin('POST', `/admin/v1/merchants/${merchant.id}/mcp_credentials`, {})).statusCode).toBe(400);
    const tooLong = await admin('POST', `/admin/v1/merchants/${merchant.id}/mcp_credentials`, { env: 'sandbox', expires_in: THIRTY_DAYS + 1 });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().message).toBe(`Validation failed: Expires in must be between 60 and ${THIRTY_DAYS}`);
    const unknown = await admin('POST', '/admin/v1/merchants/merch_6819d804aaaaa/mcp_credentials', { env: 'sandbox' });
    expect(unknown.statusCode).toBe(404);
  });

  it("answers 404 for another merchant's credential and for an unknown one, 400 for another id prefix", async () => {
    const other = await createTestMerchant();
    const theirs = (await admin('POST', `/admin/v1/merchants/${other.id}/mcp_credentials`, { env: 'sandbox' })).json();
    const wrongOwner = await admin('DELETE', `/admin/v1/merchants/${merchant.id}/mcp_credentials/${theirs.id}`);
    expect(wrongOwner.statusCode).toBe(404);
    expect(wrongOwner.json()).toMatchObject({ message: 'MCP credential not found' });
    expect((await balances(app, theirs.token)).statusCode).toBe(200);
    expect((await admin('DELETE', `/admin/v1/merchants/${merchant.id}/mcp_credentials/key_6819d804aaaaa`)).statusCode).toBe(404);
    expect((await admin('DELETE', `/admin/v1/merchants/${merchant.id}/mcp_credentials/cust_6819d804aaaaa`)).statusCode).toBe(400);
  });

  it('answers to the operator token only, and is absent without ADMIN_TOKEN', async () => {
    const { token } = (await mint(app, merchant.sandboxSecret)).json();
    const routes = [
      { method: 'POST' as const, url: `/admin/v1/merchants/${merchant.id}/mcp_credentials`, payload: { env: 'sandbox' } },
      { method: 'GET' as const, url: `/admin/v1/merchants/${merchant.id}/mcp_credentials` },
      { method: 'DELETE' as const, url: `/admin/v1/merchants/${merchant.id}/mcp_credentials/key_6819d804aaaaa` },
    ];
    await expectAdminAuthRefused(app, routes, merchant.sandboxSecret);
    await expectAdminAuthRefused(app, routes, token);
    await expectAdminAbsentWithoutToken(routes);
  });
});

const mintFor = async (app: App, owner: TestMerchant) => {
  const response = await mint(app, owner.sandboxSecret, { expires_in: 3600 });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
};

describeListConventions('GET /api/v1/mcp_credentials', {
  url: '/api/v1/mcp_credentials',
  checkPage: (body) => expect(Value.Check(McpCredentialList, body)).toBe(true),
  create: async (app, key) => {
    const response = await mint(app, key);
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id;
  },
});

describeSecurity('POST /api/v1/mcp_credentials', {
  method: 'POST',
  url: () => '/api/v1/mcp_credentials',
  payload: () => ({ expires_in: 3600 }),
  successStatus: 201,
});

describeSecurity('GET /api/v1/mcp_credentials', {
  method: 'GET',
  url: () => '/api/v1/mcp_credentials',
  listedObject: mintFor,
});

describeSecurity('DELETE /api/v1/mcp_credentials/{id}', {
  method: 'DELETE',
  url: (id) => `/api/v1/mcp_credentials/${id}`,
  createObject: mintFor,
  notFoundMessage: 'MCP credential not found',
  idPrefix: 'key',
});
