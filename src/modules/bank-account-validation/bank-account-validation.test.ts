import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { accountNumber, createBeneficiaryV2, lrsBody, v2Body } from '../../../test/support/beneficiaries.js';
import { expectResponse } from '../../../test/support/contract.js';
import { expectLedgerConsistent, fundMerchant } from '../../../test/support/ledger.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';
import { VALIDATION_FEE } from './service.js';

const URL = '/api/v1/bank_account_validation';

/** `created_at` is our extension (the list is ordered by it); the rest must be the contract's. */
function expectContract(body: Record<string, unknown>) {
  const { created_at: createdAt, ...rest } = body;
  expect(createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  expectResponse('post', '/bank_account_validation', 200, rest);
}

const bankAccount = (overrides: Record<string, unknown> = {}) => ({
  country: 'Ind', holder_name: 'John Doe', account_number: accountNumber(), bic_primary: 'YESBINBB', bic_secondary: 'YESB0000002', ...overrides,
});

describe('POST /api/v1/bank_account_validation', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    await fundMerchant(merchant.id, 'USD', 100_000n);
  });

  const validate = (payload: Record<string, unknown>, key = merchant.sandboxSecret) =>
    app.inject({ method: 'POST', url: URL, headers: bearer(key), payload });
  const availableUsd = async (key = merchant.sandboxSecret) => {
    const balances = (await app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(key) })).json();
    return (balances.available as Array<{ currency: string; amount: number }>).find((b) => b.currency === 'USD')?.amount ?? 0;
  };

  it('validates a bank account (200), charges the fee from the available USD balance, and keeps the ledger balanced', async () => {
    const before = await availableUsd();
    const response = await validate(bankAccount());
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expectContract(body);
    expect(body).toEqual({
      id: expect.stringMatching(/^aval_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      status: 'success',
      validation_message: 'The account is registered to John Doe',
      fee_charged: { amount: 1000, currency: 'USD' },
      created_at: expect.any(String),
    });
    expect(await availableUsd()).toBe(before - Number(VALIDATION_FEE.amount));
    await expectLedgerConsistent(merchant.id);
  });

  it.each([
    ['1111', 'success', 'No match: the account is not registered to this name', 1000],
    ['2222', 'success', 'The account is dormant', 1000],
    ['0000', 'failed', 'Could not validate the account: the bank did not answer', 0],
  ])('answers the sandbox outcome of an account number ending in %s (fee only when the process ran)', async (ending, status, message, fee) => {
    const before = await availableUsd();
    const response = await validate(bankAccount({ account_number: `98765432${ending}` }));
    expect(response.statusCode).toBe(200);
    expectContract(response.json());
    expect(response.json()).toMatchObject({ status, validation_message: message, fee_charged: { amount: fee, currency: 'USD' } });
    expect(await availableUsd()).toBe(before - fee);
  });

  it('validates a saved beneficiary by {id} and lists it by beneficiary_account_id and country', async () => {
    const owner = await createTestMerchant();
    await fundMerchant(owner.id, 'USD', 10_000n);
    const beneficiary = await createBeneficiaryV2(app, owner.sandboxSecret, lrsBody());
    const response = await validate({ id: beneficiary.id }, owner.sandboxSecret);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ status: 'success', validation_message: 'The account is registered to Stanford University' });
    const other = await validate(bankAccount(), owner.sandboxSecret);
    const ids = async (query: string) => {
      const list = await app.inject({ method: 'GET', url: `${URL}${query}`, headers: bearer(owner.sandboxSecret) });
      expect(list.statusCode, list.body).toBe(200);
      return list.json().data.map((v: { id: string }) => v.id);
    };
    expect(await ids(`?beneficiary_account_id=${beneficiary.id}`)).toEqual([response.json().id]);
    expect(await ids('?country=usa')).toEqual([response.json().id]);
    expect(await ids('?country=IND')).toEqual([other.json().id]);
    expect(await ids('?beneficiary_account_id=bene_6819d804aaaaa')).toEqual([]);
    const bad = await app.inject({ method: 'GET', url: `${URL}?beneficiary_account_id=cust_1`, headers: bearer(owner.sandboxSecret) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ message: 'Invalid beneficiary_account_id' });
    await expectLedgerConsistent(owner.id);
  });

  it('refuses with 400 INSUFFICIENT_BALANCE when the fee is not covered, and stores nothing', async () => {
    const poor = await createTestMerchant();
    await fundMerchant(poor.id, 'USD', 400n);
    const response = await validate(bankAccount(), poor.sandboxSecret);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Bad Request',
      message: 'Account has insufficient balance to process this transaction. Additional amount required: 600.',
      code: 'INSUFFICIENT_BALANCE',
    });
    const list = await app.inject({ method: 'GET', url: URL, headers: bearer(poor.sandboxSecret) });
    expect(list.json().page_meta.count).toBe(0);
    expect(await availableUsd(poor.sandboxSecret)).toBe(400);
    await expectLedgerConsistent(poor.id);
  });

  it('charges concurrent validations only as far as the balance goes', async () => {
    const owner = await createTestMerchant();
    await fundMerchant(owner.id, 'USD', 2_500n);
    const responses = await Promise.all(Array.from({ length: 6 }, () => validate(bankAccount(), owner.sandboxSecret)));
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 200, 400, 400, 400, 400]);
    expect(await availableUsd(owner.sandboxSecret)).toBe(500);
    const list = await app.inject({ method: 'GET', url: URL, headers: bearer(owner.sandboxSecret) });
    expect(list.json().page_meta.count).toBe(2);
    await expectLedgerConsistent(owner.id);
  });

  it.each([
    [{ country: undefined }, "Validation failed: Country can't be blank"],
    [{ holder_name: ' ' }, "Validation failed: Holder name can't be blank"],
    [{ account_number: undefined }, "Validation failed: Account number can't be blank"],
    [{ bic_primary: undefined }, "Validation failed: Bic primary can't be blank"],
    [{ bic_secondary: undefined }, "Validation failed: Bic secondary can't be blank"],
    [{ country: 'India' }, 'Validation failed: Country must be a valid 3-letter ISO code (e.g., IND, USA)'],
    [{ id: 'bene_6819d804aaaaa' }, 'Validation failed: Send either id or a bank account, not both (country, holder_name, account_number, bic_primary, bic_secondary with id)'],
  ])('answers 400 for %o', async (override, message) => {
    const response = await validate(bankAccount(override));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });

  it('answers 400 for a wrong id prefix or a UPI beneficiary, 404 for a beneficiary that is not the tenant\'s', async () => {
    const wrong = await validate({ id: 'cust_6819d804aaaaa' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ message: "Id must start with 'bene_'" });
    const upi = await createBeneficiaryV2(app, merchant.sandboxSecret, v2Body({ bank_account: undefined, upi_account: { upi_id: `${accountNumber().slice(0, 10)}@ybl` } }));
    const upiResponse = await validate({ id: upi.id });
    expect(upiResponse.statusCode).toBe(400);
    expect(upiResponse.json()).toMatchObject({ message: 'Validation failed: Beneficiary has no bank account to validate (UPI)' });
    const foreign = await createBeneficiaryV2(app, merchant.productionSecret);
    const foreignResponse = await validate({ id: foreign.id });
    expect(foreignResponse.statusCode).toBe(404);
    expect(foreignResponse.json()).toMatchObject({ error: 'Not Found', message: 'Beneficiary not found' });
  });

  it('answers 400 in production: no validation provider is connected (no fee)', async () => {
    await fundMerchant(merchant.id, 'USD', 5_000n, 'production');
    const response = await validate(bankAccount(), merchant.productionSecret);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Bad Request', message: 'Bank account validation is not available: no validation provider is connected to this server', code: 'NOT_AVAILABLE',
    });
    expect(await availableUsd(merchant.productionSecret)).toBe(5_000);
  });
});

describeListConventions('GET /api/v1/bank_account_validation', {
  url: URL,
  checkPage: (body) => {
    const page = body as { data: Array<Record<string, unknown>> };
    expectResponse('get', '/bank_account_validation', 200, { ...page, data: page.data.map(({ created_at: _, ...rest }) => rest) });
  },
  create: async (app, key) => {
    await fundMerchant(decodeJwt(key).sub!, 'USD', VALIDATION_FEE.amount);
    const response = await app.inject({ method: 'POST', url: URL, headers: bearer(key), payload: bankAccount() });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().id;
  },
});

describeSecurity('POST /api/v1/bank_account_validation', {
  method: 'POST',
  url: () => URL,
  payload: () => bankAccount(),
});

describeSecurity('GET /api/v1/bank_account_validation', {
  method: 'GET',
  url: () => URL,
  listedObject: async (app, owner) => {
    await fundMerchant(owner.id, 'USD', VALIDATION_FEE.amount);
    const response = await app.inject({ method: 'POST', url: URL, headers: bearer(owner.sandboxSecret), payload: bankAccount() });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().id;
  },
});
