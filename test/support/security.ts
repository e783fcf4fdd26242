// The security cases every /api route must pass, in one place (the Unkey habit): missing, malformed, forged,
// expired, revoked and publishable keys answer 401; another merchant's or environment's object answers 404, and so
// does a child merchant's to its sibling and its platform, and the platform's to its child.
import { generateKeyPairSync } from 'node:crypto';
import { createPrivateKey } from 'node:crypto';
import { decodeJwt, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { replaceKeys } from '../../src/modules/merchants/service.js';
import { systemClock } from '../../src/core/clock.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from './app.js';
import { testEnv } from './env.js';
import { createTestChild, createTestPlatform, type TestChild } from './platform.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface SecurityTarget {
  method: Method;
  /** The route's URL; id routes get the id of an object that `owner` created in sandbox. */
  url: (id?: string) => string;
  /** A valid request body, so that only authentication can fail: a JSON object, or raw bytes/text (multipart). */
  payload?: () => Record<string, unknown> | Buffer | string;
  /** Extra request headers that go with the payload (e.g. a multipart content-type with its boundary). */
  headers?: Record<string, string>;
  /** For routes about one object: creates one for `owner` in sandbox and returns its id. */
  createObject?: (app: App, owner: TestMerchant) => Promise<string>;
  /** The entity's not-found text (`Customer not found`). */
  notFoundMessage?: string;
  /** For routes about one object: the id prefix (`cust`), to check the wrong-prefix 400 and unknown-id 404. */
  idPrefix?: string;
  /** For list routes: creates an object for `owner` in sandbox and returns its id, to check it never leaks. */
  listedObject?: (app: App, owner: TestMerchant) => Promise<string>;
  /** What the owner's request answers (default 200; e.g. 202 for a route that only enqueues work). */
  successStatus?: number;
  /**
   * Why the child-merchant case cannot run for this route (its createObject or listedObject cannot work for a child):
   * the case is then reported as skipped with this reason, never left out silently.
   */
  skipChildMerchantCase?: string;
}

const INVALID = { error: 'Unauthorized', message: 'Auth token expired or invalid' };
const MISSING = { error: 'Unauthorized', message: 'Missing token' };

async function forgeries(merchant: TestMerchant): Promise<Record<string, string>> {
  const { keyRing } = await testEnv();
  const claims = decodeJwt(merchant.sandboxSecret);
  const kid = JSON.parse(Buffer.from(merchant.sandboxSecret.split('.')[0]!, 'base64url').toString()).kid as string;
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = foreign.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const now = Math.floor(Date.now() / 1000);
  // The key's own claims, its aud included, so that each forgery is refused for its flaw alone (the expired one for its exp).
  const base = { env: claims.env as string, ...(claims.aud !== undefined ? { aud: claims.aud } : {}) };
  const sign = (builder: SignJWT) => builder.setSubject(claims.sub!).setJti(claims.jti!).setIssuedAt(now);
  return {
    'alg none': new UnsecuredJWT(base).setSubject(claims.sub!).setJti(claims.jti!).setIssuedAt(now).encode(),
    'HS256 with a guessed secret': await sign(new SignJWT(base).setProtectedHeader({ alg: 'HS256', kid }))
      .sign(new TextEncoder().encode('secret')),
    'HS256 keyed with a public key': await sign(new SignJWT(base).setProtectedHeader({ alg: 'HS256', kid }))
      .sign(new TextEncoder().encode(publicPem)),
    'RS256 from a foreign key with our kid': await sign(new SignJWT(base).setProtectedHeader({ alg: 'RS256', kid }))
      .sign(createPrivateKey(foreign.privateKey.export({ type: 'pkcs8', format: 'pem' }))),
    'expired (exp in the past)': await sign(new SignJWT(base).setProtectedHeader({ alg: 'RS256', kid: keyRing.signingKid }))
      .setExpirationTime(now - 60)
      .sign(keyRing.signingKey),
    'a tampered payload': (() => {
      const [header, , signature] = merchant.sandboxSecret.split('.');
      const payload = Buffer.from(JSON.stringify({ ...claims, sub: 'merch_00000000aaaaa' })).toString('base64url');
      return `${header}.${payload}.${signature}`;
    })(),
    'a sandbox claim switched to production': (() => {
      const [header, , signature] = merchant.sandboxSecret.split('.');
      const payload = Buffer.from(JSON.stringify({ ...claims, env: 'production' })).toString('base64url');
      return `${header}.${payload}.${signature}`;
    })(),
  };
}

/**
 * A child as the targets' `owner`: its key pair is for its one environment (sandbox here). It has no production keys:
 * empty strings, so a createObject that reached for one would be refused (401) rather than act as another tenant.
 */
function childAsMerchant(child: TestChild): TestMerchant {
  if (child.env !== 'sandbox') throw new Error('the security targets create their objects in sandbox');
  return { id: child.id, sandboxSecret: child.secret, sandboxPublishable: child.publishable, productionSecret: '', productionPublishable: '' };
}

export function describeSecurity(name: string, target: SecurityTarget): void {
  describe(`${name}: security`, () => {
    let app: App;
    let owner: TestMerchant;
    let other: TestMerchant;
    let forged: Record<string, string>;
    let objectId: string | undefined;

    beforeAll(async () => {
      ({ app } = await buildTestApp());
      owner = await createTestMerchant();
      other = await createTestMerchant();
      forged = await forgeries(owner);
      if (target.createObject) objectId = await target.createObject(app, owner);
    });

    const send = (headers: Record<string, string>, id = objectId) =>
      app.inject({
        method: target.method,
        url: target.url(id),
        headers: { ...target.headers, ...headers },
        ...(target.payload ? { payload: target.payload() } : {}),
      });

    it('answers 401 Missing token without an Authorization header', async () => {
      const response = await send({});
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject(MISSING);
    });

    it('answers 401 Missing token for an empty bearer', async () => {
      const response = await send({ authorization: 'Bearer ' });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject(MISSING);
    });

    it('answers 401 for a non-bearer scheme and for garbage', async () => {
      for (const authorization of [`Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer not-a-jwt', 'Bearer a.b.c']) {
        const response = await send({ authorization });
        expect(response.statusCode, authorization).toBe(401);
        expect(response.json()).toMatchObject(INVALID);
      }
    });

    it('answers 401 for publishable keys (test_ and live_)', async () => {
      for (const key of [owner.sandboxPublishable, owner.productionPublishable]) {
        const response = await send(bearer(key));
        expect(response.statusCode, key).toBe(401);
        expect(response.json()).toMatchObject(INVALID);
      }
    });

    it('answers 401 for forged, tampered and expired tokens', async () => {
      for (const [kind, token] of Object.entries(forged)) {
        const response = await send(bearer(token));
        expect(response.statusCode, kind).toBe(401);
        expect(response.json(), kind).toMatchObject(INVALID);
      }
    });

    it('answers 401 for a revoked key', async () => {
      const revoked = await createTestMerchant();
      const { database, keyRing } = await testEnv();
      await replaceKeys({ db: database.db, keyRing, clock: systemClock }, revoked.id, ['sandbox'], { reissue: false });
      const response = await send(bearer(revoked.sandboxSecret));
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject(INVALID);
    });

    if (target.createObject) {
      it("answers 404 for the owner's object with the owner's production key", async () => {
        const response = await send(bearer(owner.productionSecret));
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ error: 'Not Found', message: target.notFoundMessage });
      });

      it("answers 404 for another merchant's object", async () => {
        const response = await send(bearer(other.sandboxSecret));
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ error: 'Not Found', message: target.notFoundMessage });
      });

      if (target.idPrefix) {
        it(`answers 400 Id must start with '${target.idPrefix}_' for an id with another prefix`, async () => {
          const response = await send(bearer(owner.sandboxSecret), 'wrong_6819d8046mpKt');
          expect(response.statusCode).toBe(400);
          expect(response.json()).toEqual({ error: 'Bad Request', message: `Id must start with '${target.idPrefix}_'`, code: 'INVALID_ID' });
        });

        it('answers 404 for a well-formed id that does not exist', async () => {
          const response = await send(bearer(owner.sandboxSecret), `${target.idPrefix}_6819d804aaaaa`);
          expect(response.statusCode).toBe(404);
          expect(response.json()).toEqual({ error: 'Not Found', message: target.notFoundMessage, code: 'NOT_FOUND' });
        });
      }

      it(`answers ${target.successStatus ?? 200} for the owner with the sandbox key (the object is real)`, async () => {
        const response = await send(bearer(owner.sandboxSecret));
        expect(response.statusCode, response.body).toBe(target.successStatus ?? 200);
      });
    }

    if (target.listedObject) {
      it("never lists the object to another merchant or to the owner's production key", async () => {
        const id = await target.listedObject!(app, owner);
        const own = await send(bearer(owner.sandboxSecret));
        expect(own.statusCode).toBe(200);
        expect(JSON.stringify(own.json())).toContain(id);
        for (const key of [other.sandboxSecret, owner.productionSecret]) {
          const response = await send(bearer(key));
          expect(response.statusCode).toBe(200);
          expect(JSON.stringify(response.json())).not.toContain(id);
        }
      });
    }

    if (target.createObject || target.listedObject) describeChildMerchants(() => app);
  });

  /** A platform with two sandbox children: each one's objects are its own, whoever else in the hierarchy asks. */
  function describeChildMerchants(appOf: () => App): void {
    describe('child merchants', () => {
      if (target.skipChildMerchantCase !== undefined) {
        it.skip(`child-merchant case not run: ${target.skipChildMerchantCase}`, () => {});
        return;
      }
      let platform: TestMerchant;
      let childA: TestMerchant;
      let childB: TestMerchant;

      beforeAll(async () => {
        platform = await createTestPlatform();
        childA = childAsMerchant(await createTestChild(platform, 'sandbox'));
        childB = childAsMerchant(await createTestChild(platform, 'sandbox'));
      });

      // Only sandbox keys here: a child has no key in another environment.
      const send = (key: string, id?: string) =>
        appOf().inject({
          method: target.method,
          url: target.url(id),
          headers: { ...target.headers, ...bearer(key) },
          ...(target.payload ? { payload: target.payload() } : {}),
        });
      const notFound = { error: 'Not Found', ...(target.notFoundMessage !== undefined ? { message: target.notFoundMessage } : {}) };

      if (target.createObject) {
        // In this order, so that it also holds for a route that acts on the caller's own object rather than on an id
        // (DELETE /virtual-accounts) and for a payload that names the object created last: each 404 is asked by a
        // merchant without an object of its own, and the child's 200 comes right after its object is made.
        let childObject: string;
        beforeAll(async () => {
          childObject = await target.createObject!(appOf(), childA);
        });

        it("answers 404 for a child's object to its sibling and to its platform", async () => {
          for (const [who, key] of [['sibling', childB.sandboxSecret], ['platform', platform.sandboxSecret]] as const) {
            const response = await send(key, childObject);
            expect(response.statusCode, `${who}: ${response.body}`).toBe(404);
            expect(response.json(), who).toMatchObject(notFound);
          }
        });

        it(`answers ${target.successStatus ?? 200} for the child's own object with its key (the object is real)`, async () => {
          const response = await send(childA.sandboxSecret, childObject);
          expect(response.statusCode, response.body).toBe(target.successStatus ?? 200);
        });

        it("answers 404 for the platform's object to its child", async () => {
          const platformObject = await target.createObject!(appOf(), platform);
          const response = await send(childA.sandboxSecret, platformObject);
          expect(response.statusCode, response.body).toBe(404);
          expect(response.json()).toMatchObject(notFound);
        });
      }

      if (target.listedObject) {
        it("never lists a child's object to its sibling or its platform, nor the platform's to the child", async () => {
          const childListed = await target.listedObject!(appOf(), childA);
          const platformListed = await target.listedObject!(appOf(), platform);
          const lists = async (key: string) => {
            const response = await send(key);
            expect(response.statusCode, response.body).toBe(200);
            return JSON.stringify(response.json());
          };
          const ownList = await lists(childA.sandboxSecret);
          expect(ownList).toContain(childListed);
          expect(ownList).not.toContain(platformListed);
          expect(await lists(childB.sandboxSecret)).not.toContain(childListed);
          const platformList = await lists(platform.sandboxSecret);
          expect(platformList).toContain(platformListed);
          expect(platformList).not.toContain(childListed);
        });
      }
    });
  }
}
