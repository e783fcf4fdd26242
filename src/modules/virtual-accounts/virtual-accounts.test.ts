import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse, expectSchema } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';
import { isValidBic } from '../../core/bank-identifiers.js';
import { isValidIban } from '../../core/iban.js';
import { events, virtualAccounts } from '../../db/schema/index.js';
import { abaCheckDigit, isValidAbaRoutingNumber, newAccountDetails } from './account-details.js';

interface Account {
  account_id: string;
  currency: string;
  account_number: string;
  name: string;
  status: string;
  created_at: string;
}

const KINDS = ['USD', 'EUR', 'GBP', 'AED', 'SGD'].flatMap((currency) => ['local', 'swift'].map((payment_type) => ({ payment_type, currency })));

async function open(app: App, key: string, body: Record<string, unknown>, version = 'v1') {
  return app.inject({ method: 'POST', url: `/api/${version}/virtual-accounts`, headers: bearer(key), payload: body });
}

async function opened(app: App, key: string, body: Record<string, unknown>): Promise<Account> {
  const response = await open(app, key, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Account;
}

const close = (app: App, key: string, query: string) =>
  app.inject({ method: 'DELETE', url: `/api/v1/virtual-accounts${query}`, headers: bearer(key) });

async function eventsOf(entityId: string) {
  const { database } = await testEnv();
  return database.db.select().from(events).where(eq(events.entityId, entityId)).orderBy(events.seq);
}

describe('virtual accounts', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it('opens an account (201) in the contract shape, named after the merchant, with its active event', async () => {
    const response = await open(app, merchant.sandboxSecret, { payment_type: 'local', currency: 'aed' });
    expect(response.statusCode, response.body).toBe(201);
    const account = response.json() as Account;
    expectResponse('post', '/virtual-accounts', 201, account);
    expectSchema('VirtualAccount', account);
    const { database } = await testEnv();
    const [row] = await database.db.select().from(virtualAccounts).where(eq(virtualAccounts.id, account.account_id));
    expect(account).toMatchObject({
      account_id: expect.stringMatching(/^va_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      currency: 'AED',
      status: 'active',
      name: expect.stringMatching(/^Test merchant /),
    });
    expect(row).toMatchObject({
      merchantId: merchant.id, env: 'sandbox', accountNumber: account.account_number, paymentType: 'local',
      bankName: 'Glomo Sandbox Bank', bankCountry: 'ARE', bic: 'GLMOAES0', localBankCode: '099',
    });
    expect(account.account_number).toMatch(/^AE\d{21}$/);
    expect(isValidIban(account.account_number)).toBe(true);
    const recorded = await eventsOf(account.account_id);
    expect(recorded.map((event) => [event.entityType, event.eventType])).toEqual([['virtual_account', 'active']]);
    expect(recorded[0]!.data).toEqual(account);
  });

  it('formats every currency and rail as its country does', async () => {
    const other = await createTestMerchant();
    const { database } = await testEnv();
    for (const kind of KINDS) {
      const account = await opened(app, other.sandboxSecret, kind);
      expectSchema('VirtualAccount', account);
      const [row] = await database.db.select().from(virtualAccounts).where(eq(virtualAccounts.id, account.account_id));
      expect(isValidBic(row!.bic)).toBe(true);
      // ISO 9362: a BIC whose location code ends in 0 is a test BIC, so no real bank is named.
      expect(row!.bic[7]).toBe('0');
      if (['EUR', 'GBP', 'AED'].includes(kind.currency)) expect(isValidIban(account.account_number), account.account_number).toBe(true);
      if (kind.currency === 'GBP') expect(account.account_number).toMatch(/^GB\d{2}GLMO\d{14}$/);
      if (kind.currency === 'EUR') expect(account.account_number).toMatch(/^IE\d{2}GLMO\d{14}$/);
      if (kind.currency === 'USD') expect(account.account_number).toMatch(/^\d{12}$/);
      if (kind.currency === 'SGD') expect(account.account_number).toMatch(/^\d{10}$/);
      if (kind.payment_type === 'swift') {
        expect(row!.localBankCode).toBeNull();
      } else if (kind.currency === 'USD') {
        expect(isValidAbaRoutingNumber(row!.localBankCode!)).toBe(true);
      } else if (kind.currency === 'GBP') {
        // The sort code is the one the IBAN carries.
        expect(account.account_number.slice(8, 14)).toBe(row!.localBankCode);
      }
    }
    const list = (await app.inject({ method: 'GET', url: '/api/v1/virtual-accounts?per_page=100', headers: bearer(other.sandboxSecret) })).json();
    expect(new Set(list.data.map((account: Account) => account.account_number)).size).toBe(KINDS.length);
  });

  it('answers 409 Duplicate record for a second active account of the same kind, and stores nothing', async () => {
    const other = await createTestMerchant();
    await opened(app, other.sandboxSecret, { payment_type: 'swift', currency: 'USD' });
    const response = await open(app, other.sandboxSecret, { payment_type: 'swift', currency: 'usd' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({ error: 'Duplicate record', message: 'Virtual Account already exists', code: 'DUPLICATE_RECORD' });
    // Another rail, or the same kind in production's environment or another merchant, is another account.
    expect((await open(app, other.sandboxSecret, { payment_type: 'local', currency: 'USD' })).statusCode).toBe(201);
    expect((await open(app, merchant.sandboxSecret, { payment_type: 'swift', currency: 'USD' })).statusCode).toBe(201);
    const { database } = await testEnv();
    expect(await database.db.select().from(virtualAccounts).where(eq(virtualAccounts.merchantId, other.id))).toHaveLength(2);
  });

  it('makes one account of concurrent opens of the same kind; the others answer 409', async () => {
    const other = await createTestMerchant();
    const answers = await Promise.all(Array.from({ length: 6 }, () => open(app, other.sandboxSecret, { payment_type: 'local', currency: 'GBP' })));
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const { database } = await testEnv();
    expect(await database.db.select().from(virtualAccounts).where(eq(virtualAccounts.merchantId, other.id))).toHaveLength(1);
  });

  it.each([
    [{}, 'Missing Required parameters'],
    [{ currency: 'USD' }, 'Missing Required parameters'],
    [{ payment_type: 'local' }, 'Missing Required parameters'],
    [{ payment_type: 'local', currency: 'INR' }, 'Currency must be one of USD, EUR, GBP, AED, SGD for a virtual account'],
  ])('refuses %j: 400 %s', async (body, message) => {
    const response = await open(app, merchant.sandboxSecret, body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });

  it('refuses a payment type or currency that is not one, in the error shape', async () => {
    for (const body of [{ payment_type: 'bank_transfer', currency: 'USD' }, { payment_type: 'local', currency: 'XXXX' }]) {
      const response = await open(app, merchant.sandboxSecret, body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'Bad Request', message: expect.stringMatching(/^Validation failed: /) });
    }
  });

  it('refuses production keys: no bank issues real accounts here', async () => {
    const response = await open(app, merchant.productionSecret, { payment_type: 'local', currency: 'USD' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VIRTUAL_ACCOUNTS_UNAVAILABLE' });
  });

  it('is served under /api/v2 as well, the same accounts', async () => {
    const other = await createTestMerchant();
    const response = await open(app, other.sandboxSecret, { payment_type: 'local', currency: 'SGD' }, 'v2');
    expect(response.statusCode, response.body).toBe(201);
    expect((await open(app, other.sandboxSecret, { payment_type: 'local', currency: 'SGD' })).statusCode).toBe(409);
    const v2 = (await app.inject({ method: 'GET', url: '/api/v2/virtual-accounts', headers: bearer(other.sandboxSecret) })).json();
    expect(v2.data.map((account: Account) => account.account_id)).toEqual([response.json().account_id]);
  });

  it('closes the active account of a kind: inactive, its event, the number never reused, a new one may be opened', async () => {
    const other = await createTestMerchant();
    const first = await opened(app, other.sandboxSecret, { payment_type: 'local', currency: 'EUR' });
    const response = await close(app, other.sandboxSecret, '?payment_type=local&currency=eur');
    expect(response.statusCode, response.body).toBe(200);
    const closed = response.json() as Account;
    expectSchema('VirtualAccount', closed);
    expect(closed).toMatchObject({ account_id: first.account_id, status: 'inactive', account_number: first.account_number });
    expect((await eventsOf(first.account_id)).map((event) => event.eventType)).toEqual(['active', 'inactive']);
    // Nothing active of that kind any more.
    const again = await close(app, other.sandboxSecret, '?payment_type=local&currency=EUR');
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ error: 'Not Found', message: 'Virtual Account not found' });
    const second = await opened(app, other.sandboxSecret, { payment_type: 'local', currency: 'EUR' });
    expect(second.account_id).not.toBe(first.account_id);
    expect(second.account_number).not.toBe(first.account_number);
    const list = (await app.inject({ method: 'GET', url: '/api/v1/virtual-accounts', headers: bearer(other.sandboxSecret) })).json();
    expect(list.data.map((account: Account) => [account.account_id, account.status])).toEqual([
      [second.account_id, 'active'], [first.account_id, 'inactive'],
    ]);
  });

  it('needs both query parameters to close', async () => {
    for (const query of ['', '?payment_type=local', '?currency=USD']) {
      const response = await close(app, merchant.sandboxSecret, query);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ message: 'Missing Required parameters' });
    }
  });

  it('filters the list by currency, any case', async () => {
    const other = await createTestMerchant();
    const usd = await opened(app, other.sandboxSecret, { payment_type: 'local', currency: 'USD' });
    await opened(app, other.sandboxSecret, { payment_type: 'local', currency: 'GBP' });
    const response = await app.inject({ method: 'GET', url: '/api/v1/virtual-accounts?currency=usd', headers: bearer(other.sandboxSecret) });
    expect(response.statusCode).toBe(200);
    expectResponse('get', '/virtual-accounts', 200, response.json());
    expect(response.json().data.map((account: Account) => account.account_id)).toEqual([usd.account_id]);
  });
});

describe("the checkout's bank-transfer details", () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  async function order(currency: string): Promise<string> {
    const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(merchant.sandboxSecret), payload: customerBody() });
    expect(customer.statusCode, customer.body).toBe(201);
    const created = await app.inject({
      method: 'POST', url: '/api/v1/orders', headers: bearer(merchant.sandboxSecret),
      payload: { customer_id: customer.json().id, currency, amount: 5_000, payment_methods: ['bank_transfer'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json().id;
  }
  const details = async (orderId: string) => {
    const response = await app.inject({
      method: 'GET', url: `/api/public/v1/order/${orderId}/bank_transfer_details`, headers: bearer(merchant.sandboxPublishable),
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  it("show the environment's account in the currency, local before swift, and the sandbox fallback without one", async () => {
    const usdOrder = await order('USD');
    const fallback = await details(usdOrder);
    expect(fallback).toMatchObject({ swift_code: 'GLMOXXSB', iban: expect.stringMatching(/^GB/) });
    const swift = await opened(app, merchant.sandboxSecret, { payment_type: 'swift', currency: 'USD' });
    expect(await details(usdOrder)).toEqual({
      order_id: usdOrder, amount: 5_000, currency: 'USD', account_name: swift.name, bank_name: 'Glomo Sandbox Bank',
      account_number: swift.account_number, swift_code: 'GLMOUSS0', reference: usdOrder,
    });
    const local = await opened(app, merchant.sandboxSecret, { payment_type: 'local', currency: 'USD' });
    const shown = await details(usdOrder);
    expect(shown).toMatchObject({ account_number: local.account_number, swift_code: 'GLMOUSS0' });
    expect(isValidAbaRoutingNumber(shown.routing_number)).toBe(true);
    expect(shown).not.toHaveProperty('iban');

    const gbpOrder = await order('GBP');
    const gbp = await opened(app, merchant.sandboxSecret, { payment_type: 'local', currency: 'GBP' });
    expect(await details(gbpOrder)).toMatchObject({ account_number: gbp.account_number, iban: gbp.account_number, sort_code: '040999' });
    // Closed: the order's details no longer send the customer to it.
    expect((await close(app, merchant.sandboxSecret, '?payment_type=local&currency=GBP')).statusCode).toBe(200);
    expect((await details(gbpOrder)).account_number).not.toBe(gbp.account_number);
  });
});

describe('account details', () => {
  it('computes ABA check digits (the Federal Reserve Bank of New York, 021000021)', () => {
    expect(abaCheckDigit('02100002')).toBe('1');
    expect(isValidAbaRoutingNumber('021000021')).toBe(true);
    expect(isValidAbaRoutingNumber('021000022')).toBe(false);
  });

  it('draws different numbers each time', () => {
    const numbers = new Set(Array.from({ length: 50 }, () => newAccountDetails('GBP', 'local').accountNumber));
    expect(numbers.size).toBe(50);
  });
});

/** Ten kinds per environment: the 11th and later objects close a kind's account first, then open it again. */
describeListConventions('GET /api/v1/virtual-accounts', {
  url: '/api/v1/virtual-accounts',
  contractPath: '/virtual-accounts',
  idField: 'account_id',
  create: async (app, key, index) => {
    const kind = KINDS[index % KINDS.length]!;
    if (index >= KINDS.length) expect((await close(app, key, `?payment_type=${kind.payment_type}&currency=${kind.currency}`)).statusCode).toBe(200);
    return (await opened(app, key, kind)).account_id;
  },
});

describeSecurity('POST /api/v1/virtual-accounts', {
  method: 'POST', url: () => '/api/v1/virtual-accounts', payload: () => ({ payment_type: 'swift', currency: 'EUR' })
});
describeSecurity('POST /api/v2/virtual-accounts', {
  method: 'POST', url: () => '/api/v2/virtual-accounts', payload: () => ({ payment_type: 'swift', currency: 'GBP' })
});
describeSecurity('GET /api/v1/virtual-accounts', {
  method: 'GET',
  url: () => '/api/v1/virtual-accounts?per_page=100',
  listedObject: async (app, owner) => (await opened(app, owner.sandboxSecret, { payment_type: 'local', currency: 'AED' })).account_id,
});
describeSecurity('DELETE /api/v1/virtual-accounts', {
  method: 'DELETE',
  url: () => '/api/v1/virtual-accounts?payment_type=local&currency=SGD',
  notFoundMessage: 'Virtual Account not found',
  // Each successful close needs an account to close: the owner opens one before every request that may succeed.
  createObject: async (app, owner) => (await opened(app, owner.sandboxSecret, { payment_type: 'local', currency: 'SGD' })).account_id,
});
