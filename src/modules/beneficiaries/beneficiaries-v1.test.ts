import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { createBeneficiaryV1, createBeneficiaryV2, lrsBody, v1Body, v2Body } from '../../../test/support/beneficiaries.js';
import { expectResponse, expectSchema } from '../../../test/support/contract.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';

describe('/api/v1/beneficiaries (legacy)', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  const post = (payload: unknown, key = merchant.sandboxSecret) =>
    app.inject({ method: 'POST', url: '/api/v1/beneficiaries', headers: bearer(key), payload: payload as Record<string, unknown> });
  const get = (url: string, key = merchant.sandboxSecret) => app.inject({ method: 'GET', url, headers: bearer(key) });

  it('creates a beneficiary (201) in the flat 2025 shape, reads it back, and shows it active through v2', async () => {
    const body = v1Body({ address_line2: 'Near Apts', intermediate_bank_name: 'Intermediate Bank', intermediate_bank_country: 'ind', intermediate_bank_swift_code: 'INTBANKSWIFT' });
    const response = await post(body);
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expectResponse('post', '/beneficiaries', 201, created);
    expect(created).toEqual({
      id: expect.stringMatching(/^bene_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      holder_name: 'Test Arts & Crafts Pvt Ltd',
      account_number: body.account_number,
      bank_name: 'Yes Bank',
      beneficiary_type: 'business',
      bic_primary: 'YESBINBB',
      bic_secondary: 'YESB0000002',
      email: 'beneficiary@example.com',
      address_line1: '123 Main St',
      address_line2: 'Near Apts',
      city: 'Anytown',
      state: 'Anystate',
      country: 'IND',
      pincode: '560048',
      nickname: 'Test Beneficiary',
      intermediate_bank_name: 'Intermediate Bank',
      intermediate_bank_country: 'IND',
      intermediate_bank_swift_code: 'INTBANKSWIFT',
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      updated_at: created.created_at,
    });
    const read = await get(`/api/v1/beneficiaries/${created.id}`);
    expect(read.statusCode).toBe(200);
    expectResponse('get', '/beneficiaries/{id}', 200, read.json());
    expect(read.json()).toEqual(created);
    const v2 = await get(`/api/v2/beneficiaries/${created.id}`);
    expect(v2.statusCode).toBe(200);
    expectSchema('BeneficiaryV2', v2.json(), '2026');
    expect(v2.json()).toMatchObject({
      id: created.id, name: 'Test Arts & Crafts Pvt Ltd', type: 'business', category: 'payout', status: 'active', upi_account: null,
      address: { address_line1: '123 Main St', address_line2: 'Near Apts', city: 'Anytown', state: 'Anystate', country_code: 'IND', postal_code: '560048' },
      bank_account: {
        account_number: body.account_number, name: 'Yes Bank', swift_code: 'YESBINBB', local_routing_number: 'YESB0000002',
        intermediate_bank: { name: 'Intermediate Bank', country: 'IND', swift_code: 'INTBANKSWIFT' },
      },
    });
    expect(v2.json().bank_account).not.toHaveProperty('currency');
  });

  it('shows v2 bank-account beneficiaries in the v1 shape; UPI ones are not served by v1', async () => {
    const owner = await createTestMerchant();
    const lrs = await createBeneficiaryV2(app, owner.sandboxSecret, lrsBody());
    const upi = await createBeneficiaryV2(app, owner.sandboxSecret, v2Body({ bank_account: undefined, upi_account: { upi_id: '1111111111@ybl' } }));
    const asV1 = await get(`/api/v1/beneficiaries/${lrs.id}`, owner.sandboxSecret);
    expect(asV1.statusCode).toBe(200);
    expectResponse('get', '/beneficiaries/{id}', 200, asV1.json());
    expect(asV1.json()).toMatchObject({
      holder_name: 'Stanford University', bank_name: 'Citibank NA', bic_primary: 'CITIUS33', bic_secondary: '021000089', country: 'USA',
      nickname: 'Stanford University - Citibank NA', intermediate_bank_swift_code: 'CHASUS33', email: 'fees@example.edu',
    });
    const upiAsV1 = await get(`/api/v1/beneficiaries/${upi.id}`, owner.sandboxSecret);
    expect(upiAsV1.statusCode).toBe(404);
    expect(upiAsV1.json()).toMatchObject({ error: 'Not Found', message: 'Beneficiary not found' });
    const list = await get('/api/v1/beneficiaries', owner.sandboxSecret);
    expectResponse('get', '/beneficiaries', 200, list.json());
    expect(list.json().data.map((b: { id: string }) => b.id)).toEqual([lrs.id]);
    const v2List = await get('/api/v2/beneficiaries', owner.sandboxSecret);
    expect(v2List.json().data.map((b: { id: string }) => b.id)).toEqual([upi.id, lrs.id]);
  });

  it('filters by beneficiary_type and country (any case)', async () => {
    const owner = await createTestMerchant();
    const indian = await createBeneficiaryV1(app, owner.sandboxSecret, v1Body({ beneficiary_type: 'individual', country: 'ind' }));
    const american = await createBeneficiaryV1(app, owner.sandboxSecret, v1Body({ country: 'USA' }));
    const ids = async (query: string) => (await get(`/api/v1/beneficiaries${query}`, owner.sandboxSecret)).json().data.map((b: { id: string }) => b.id);
    expect(await ids('?beneficiary_type=individual')).toEqual([indian.id]);
    expect(await ids('?beneficiary_type=business')).toEqual([american.id]);
    expect(await ids('?country=Ind')).toEqual([indian.id]);
    expect(await ids('?country=usa&beneficiary_type=business')).toEqual([american.id]);
    expect(await ids('?country=GBR')).toEqual([]);
    const badCountry = await get('/api/v1/beneficiaries?country=XX', owner.sandboxSecret);
    expect(badCountry.statusCode).toBe(400);
    expect(badCountry.json().message).toBe('Validation failed: Country must be a valid 3-letter ISO code (e.g., IND, USA)');
    const badType = await get('/api/v1/beneficiaries?beneficiary_type=company', owner.sandboxSecret);
    expect(badType.statusCode).toBe(400);
    expect(badType.json().message).toBe('Validation failed: Beneficiary type must be one of: individual, business');
  });

  it.each([
    'holder_name', 'account_number', 'bank_name', 'beneficiary_type', 'bic_primary', 'bic_secondary', 'email', 'address_line1', 'city',
    'state', 'country', 'pincode', 'nickname',
  ])('requires %s', async (field) => {
    const response = await post(v1Body({ [field]: undefined }));
    expect(response.statusCode).toBe(400);
    const subject = field.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
    expect(response.json()).toMatchObject({ error: 'Bad Request', message: `Validation failed: ${subject} can't be blank` });
  });

  it.each([
    [{ holder_name: ' ' }, "Validation failed: Holder name can't be blank"],
    [{ beneficiary_type: 'company' }, 'Validation failed: Beneficiary type must be one of: individual, business'],
    [{ email: 'nope' }, 'Validation failed: Email is invalid'],
    [{ country: 'India' }, 'Validation failed: Country must be a valid 3-letter ISO code (e.g., IND, USA)'],
    [{ intermediate_bank_country: 'XX' }, 'Validation failed: Intermediate bank country must be a valid 3-letter ISO code (e.g., IND, USA)'],
    [{ bic_primary: 'YESB' }, 'Validation failed: Bic primary must be 8 to 11 characters long'],
    [{ bic_primary: '12345678' }, 'Validation failed: Bic primary must start with 6 letters followed by letters or digits'],
  ])('answers 400 for %o', async (override, message) => {
    const response = await post(v1Body(override));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });

  it('has no duplicate rule (the 2025 document has none): the same account twice is two beneficiaries', async () => {
    const body = v1Body();
    const first = await createBeneficiaryV1(app, merchant.sandboxSecret, body);
    const second = await createBeneficiaryV1(app, merchant.sandboxSecret, body);
    expect(second.id).not.toBe(first.id);
  });
});

describeListConventions('GET /api/v1/beneficiaries', {
  url: '/api/v1/beneficiaries',
  contractPath: '/beneficiaries',
  create: async (app, key) => (await createBeneficiaryV1(app, key)).id,
});

describeSecurity('POST /api/v1/beneficiaries', {
  method: 'POST',
  url: () => '/api/v1/beneficiaries',
  payload: () => v1Body(),
});

describeSecurity('GET /api/v1/beneficiaries', {
  method: 'GET',
  url: () => '/api/v1/beneficiaries',
  listedObject: async (app, owner) => (await createBeneficiaryV1(app, owner.sandboxSecret)).id,
});

describeSecurity('GET /api/v1/beneficiaries/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/beneficiaries/${id}`,
  createObject: async (app, owner) => (await createBeneficiaryV1(app, owner.sandboxSecret)).id,
  notFoundMessage: 'Beneficiary not found',
  idPrefix: 'bene',
});
