import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { events } from '../../db/schema/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { accountNumber, address, createBeneficiaryV2, iban, lrsBody, v2Body } from '../../../test/support/beneficiaries.js';
import { expectResponse, expectSchema } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { uploadDocumentId } from '../../../test/support/fixtures.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';

const DUPLICATE = {
  error: 'Unprocessable Entity',
  message: 'Validation failed: Business already had this Account Number, Account Type and Transfer Method',
};

async function eventsOf(entityId: string) {
  const { database } = await testEnv();
  const rows = await database.db.select().from(events).where(and(eq(events.entityType, 'beneficiary'), eq(events.entityId, entityId))).orderBy(events.seq);
  return rows.map((row) => ({ event_type: row.eventType, status: (row.data as { status: string }).status, env: row.env }));
}

async function setMerchant(app: App, merchantId: string, settings: Record<string, unknown>) {
  const response = await app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${merchantId}`, headers: bearer(ADMIN_TOKEN), payload: settings });
  expect(response.statusCode, response.body).toBe(200);
}

describe('POST /api/v2/beneficiaries', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  const post = (payload: unknown, key = merchant.sandboxSecret) =>
    app.inject({ method: 'POST', url: '/api/v2/beneficiaries', headers: bearer(key), payload: payload as Record<string, unknown> });

  it('creates an active payout beneficiary (201) in the contract shape, and reads it back', async () => {
    const body = v2Body({ notes: { invoice_ref: 'INV-2026-002' } });
    const response = await post(body);
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expectResponse('post', '/v2/beneficiaries', 201, created, '2026');
    expect(created).toEqual({
      id: expect.stringMatching(/^bene_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      name: 'ACME Corporation',
      type: 'business',
      category: 'payout',
      nickname: 'ACME Corporation',
      address: address(),
      bank_account: { account_number: (body.bank_account as { account_number: string }).account_number, swift_code: 'CITIUS33', currency: 'USD' },
      upi_account: null,
      status: 'active',
      documents: [],
      notes: { invoice_ref: 'INV-2026-002' },
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      updated_at: created.created_at,
    });
    expect(parseInt(created.id.slice(5, 13), 16)).toBe(Date.parse(created.created_at) / 1000);
    const read = await app.inject({ method: 'GET', url: `/api/v2/beneficiaries/${created.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.statusCode).toBe(200);
    expectResponse('get', '/v2/beneficiaries/{id}', 200, read.json(), '2026');
    expect(read.json()).toEqual(created);
    // Created active: the catalogue's beneficiary.active event, in the creating transaction.
    expect(await eventsOf(created.id)).toEqual([{ event_type: 'active', status: 'active', env: 'sandbox' }]);
  });

  it.each([
    ['GBP by sort code', { bank_account: { account_number: accountNumber(), local_routing_number: '040004', currency: 'GBP' } }],
    ['AUD by BSB', { bank_account: { account_number: accountNumber(), local_routing_number: '062000', currency: 'AUD' } }],
    ['INR by IFSC', { bank_account: { account_number: accountNumber(), local_routing_number: 'hdfc0001097', currency: 'inr' } }],
    ['EUR by IBAN alone', { bank_account: { account_number: iban('DE', `37040044${accountNumber().slice(0, 10)}`), currency: 'EUR' } }],
    ['AED by IBAN alone', { bank_account: { account_number: iban('AE', `033${accountNumber().slice(0, 12)}0000`), currency: 'AED' } }],
    ['INR by UPI', { bank_account: undefined, upi_account: { upi_id: '1111111111@ybl' } }],
  ])('creates the contract example %s', async (_label, overrides) => {
    const response = await post(v2Body(overrides));
    expect(response.statusCode, response.body).toBe(201);
    expectResponse('post', '/v2/beneficiaries', 201, response.json(), '2026');
  });

  it('stores a UPI beneficiary without a bank_account and with upi_account', async () => {
    const created = await createBeneficiaryV2(app, merchant.sandboxSecret, v2Body({ bank_account: undefined, upi_account: { upi_id: ' 9999999999@okaxis ' } }));
    expect(created.upi_account).toEqual({ upi_id: '9999999999@okaxis' });
    expect(created).not.toHaveProperty('bank_account');
  });

  it('creates a complete LRS beneficiary, keeping the bank name and address sent and naming it "<name> - <bank>"', async () => {
    const documentId = await uploadDocumentId(app, merchant.sandboxSecret);
    const body = lrsBody();
    (body.beneficiary as Record<string, unknown>).documents = [documentId, documentId];
    const created = await createBeneficiaryV2(app, merchant.sandboxSecret, body);
    expectResponse('post', '/v2/beneficiaries', 201, created, '2026');
    expect(created).toMatchObject({
      category: 'lrs', nickname: 'Stanford University - Citibank NA', email: 'fees@example.edu', documents: [documentId],
      bank_account: {
        name: 'Citibank NA', swift_code: 'CITIUS33', local_routing_number: '021000089',
        address: { address_line1: '388 Greenwich Street', city: 'New York', state: 'NY', country_code: 'USA', postal_code: '10013' },
        intermediate_bank: { name: 'JPMorgan Chase Bank', country: 'USA', swift_code: 'CHASUS33', account_number: '123456789' },
      },
      notes: { invoice_ref: 'INV-2026-001', project: 'Alpha' },
    });
  });

  it('keeps a payout bank name and address when sent, and invents none when not', async () => {
    const named = await createBeneficiaryV2(app, merchant.sandboxSecret, v2Body({
      beneficiary: { name: 'ACME Corporation', type: 'business', nickname: 'ACME main', address: address() },
      bank_account: { account_number: accountNumber(), swift_code: 'citius33xxx', currency: 'usd', name: 'Citibank NA' },
    }));
    expect(named).toMatchObject({ nickname: 'ACME main', bank_account: { name: 'Citibank NA', swift_code: 'CITIUS33XXX', currency: 'USD' } });
    const bare = await createBeneficiaryV2(app, merchant.sandboxSecret);
    expect(bare.bank_account).not.toHaveProperty('name');
    expect(bare.bank_account).not.toHaveProperty('address');
  });

  const bank = (fields: Record<string, unknown>) => ({ account_number: accountNumber(), currency: 'USD', ...fields });
  const lrsWith = (change: (bankAccount: Record<string, unknown>) => void) => {
    const body = lrsBody();
    change(body.bank_account as Record<string, unknown>);
    return body;
  };

  it.each([
    [v2Body({ category: undefined }), "Category can't be blank, Category must be one of: lrs, payout"],
    [v2Body({ category: 'remittance' }), 'Category must be one of: lrs, payout'],
    [v2Body({ beneficiary: undefined }), "Beneficiary can't be blank"],
    [v2Body({ beneficiary: { type: 'business', address: address() } }), "Beneficiary name can't be blank"],
    [v2Body({ beneficiary: { name: '  ', type: 'business', address: address() } }), "Beneficiary name can't be blank"],
    [v2Body({ beneficiary: { name: 'A', address: address() } }), "Beneficiary type can't be blank"],
    [v2Body({ beneficiary: { name: 'A', type: 'company', address: address() } }), 'Beneficiary type must be one of: individual, business'],
    [v2Body({ beneficiary: { name: 'A', type: 'business' } }), 'Beneficiary address is required'],
    [v2Body({ beneficiary: { name: 'A', type: 'business', address: { ...address(), city: '' } } }), "Beneficiary address city can't be blank"],
    [v2Body({ beneficiary: { name: 'A', type: 'business', address: { ...address(), postal_code: undefined } } }), "Beneficiary address postal code can't be blank"],
    [v2Body({ beneficiary: { name: 'A', type: 'business', address: { ...address(), country_code: 'US' } } }), 'Beneficiary address country code must be a valid 3-letter ISO code (e.g., IND, USA)'],
    [v2Body({ bank_account: undefined }), 'Provide either bank_account or upi_account'],
    [v2Body({ upi_account: { upi_id: '1111111111@ybl' } }), 'Provide either bank_account or upi_account, not both'],
    [v2Body({ bank_account: bank({ account_number: ' ', swift_code: 'CITIUS33' }) }), "Account number can't be blank"],
    [v2Body({ bank_account: { account_number: accountNumber(), swift_code: 'CITIUS33' } }), "Currency can't be blank"],
    [v2Body({ bank_account: bank({ currency: 'XYZ', swift_code: 'CITIUS33' }) }), 'Currency must be a valid ISO 4217 currency code (e.g., USD)'],
    [v2Body({ bank_account: bank({ swift_code: 'CITIUS' }) }), 'Swift code must be 8 to 11 characters long'],
    [v2Body({ bank_account: bank({ swift_code: 'CITIUS33XXXX' }) }), 'Swift code must be 8 to 11 characters long'],
    [v2Body({ bank_account: bank({ swift_code: 'CIT1US33' }) }), 'Swift code must start with 6 letters followed by letters or digits'],
    [v2Body({ bank_account: bank({ swift_code: 'CITIUS33X' }) }), 'Swift code is not a valid BIC (8 or 11 characters, letters 5-6 a country code)'],
    [v2Body({ bank_account: bank({ swift_code: 'CITIXX33' }) }), 'Swift code is not a valid BIC (8 or 11 characters, letters 5-6 a country code)'],
    [v2Body({ bank_account: { account_number: 'DE8937040044053201300', currency: 'EUR' } }), 'Account number must be a valid IBAN when neither swift_code nor local_routing_number is sent'],
    [v2Body({ bank_account: bank({ swift_code: 'CITIUS33', local_routing_number: '021000089' }) }), 'Provide exactly one of swift_code or local_routing_number, not both'],
    [v2Body({ bank_account: bank({}) }), 'Provide exactly one of swift_code or local_routing_number (only EUR and AED accounts may send an IBAN alone)'],
    [v2Body({ bank_account: { account_number: 'DE88370400440532013000', currency: 'EUR' } }), 'Account number must be a valid IBAN when neither swift_code nor local_routing_number is sent'],
    [v2Body({ bank_account: { account_number: '12345678', currency: 'AED' } }), 'Account number must be a valid IBAN when neither swift_code nor local_routing_number is sent'],
    [v2Body({ bank_account: bank({ swift_code: 'CITIUS33', intermediate_bank: { swift_code: 'CHAS' } }) }), 'Intermediate bank swift code must be 8 to 11 characters long'],
    [v2Body({ bank_account: bank({ swift_code: 'CITIUS33', intermediate_bank: { country: 'XX' } }) }), 'Intermediate bank country must be a valid 3-letter ISO code (e.g., IND, USA)'],
    [v2Body({ bank_account: bank({ swift_code: 'CITIUS33', address: { address_line1: '1 Main St' } }) }), "Bank address city can't be blank"],
    [v2Body({ bank_account: undefined, upi_account: { upi_id: 'not-a-upi-id' } }), 'Upi id is invalid'],
    [v2Body({ category: 'lrs', bank_account: undefined, upi_account: { upi_id: '1111111111@ybl' } }), 'An lrs beneficiary needs a bank_account (UPI is for payouts in INR)'],
    [lrsWith((b) => { delete b.local_routing_number; }), "Local routing number can't be blank"],
    [lrsWith((b) => { b.swift_code = 'CITIUS33XXX'; }), 'Swift code must be 8 characters long'],
    [lrsWith((b) => { delete b.name; }), "Bank account name can't be blank"],
    [lrsWith((b) => { delete b.address; }), 'Bank account address is required'],
    [lrsWith((b) => { delete b.intermediate_bank; }), "Intermediate bank swift code can't be blank"],
    [v2Body({ beneficiary: { name: 'A', type: 'business', address: address(), documents: ['cust_6819d804aaaaa'] } }), 'Beneficiary documents must be document ids (doc_…): cust_6819d804aaaaa'],
    [v2Body({ beneficiary: { name: 42, type: 'business', address: address() } }), 'Validation failed: Beneficiary name must be a string'],
  ])('answers 400 for %o', async (body, message) => {
    const response = await post(body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });

  it('answers 404 Document not found for a document that is not the tenant\'s', async () => {
    const foreign = await uploadDocumentId(app, merchant.productionSecret);
    const response = await post(v2Body({ beneficiary: { name: 'A', type: 'business', address: address(), documents: [foreign] } }));
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'Not Found', message: 'Document not found' });
  });

  it('answers 422 for an account the tenant already has (also written differently), and stores one', async () => {
    const owner = await createTestMerchant();
    const number = iban('DE', `37040044${accountNumber().slice(0, 10)}`);
    const body = v2Body({ bank_account: { account_number: number, currency: 'EUR' } });
    const first = await createBeneficiaryV2(app, owner.sandboxSecret, body);
    const spaced = number.replace(/(.{4})/g, '$1 ').toLowerCase();
    for (const again of [body, v2Body({ bank_account: { account_number: spaced, currency: 'EUR' } })]) {
      const response = await post(again, owner.sandboxSecret);
      expect(response.statusCode, response.body).toBe(422);
      expect(response.json()).toMatchObject(DUPLICATE);
    }
    const list = await app.inject({ method: 'GET', url: '/api/v2/beneficiaries', headers: bearer(owner.sandboxSecret) });
    expect(list.json().data.map((b: { id: string }) => b.id)).toEqual([first.id]);
    // Another transfer method, another category, the other environment or another merchant: not a duplicate.
    expect((await post(v2Body({ bank_account: { account_number: number, currency: 'EUR', swift_code: 'COBADEFF' } }), owner.sandboxSecret)).statusCode).toBe(201);
    expect((await post(body, owner.productionSecret)).statusCode).toBe(201);
    expect((await post(body)).statusCode).toBe(201);
    const upi = v2Body({ bank_account: undefined, upi_account: { upi_id: '5555555555@ybl' } });
    expect((await post(upi, owner.sandboxSecret)).statusCode).toBe(201);
    const upiAgain = await post(v2Body({ bank_account: undefined, upi_account: { upi_id: '5555555555@YBL' } }), owner.sandboxSecret);
    expect(upiAgain.statusCode).toBe(422);
    expect(upiAgain.json()).toMatchObject(DUPLICATE);
  });

  it('creates exactly one of 10 concurrent duplicates; the others answer 422', async () => {
    const owner = await createTestMerchant();
    const body = v2Body();
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(body, owner.sandboxSecret)));
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(422)]);
    for (const response of responses.filter((r) => r.statusCode === 422)) expect(response.json()).toMatchObject(DUPLICATE);
    const list = await app.inject({ method: 'GET', url: '/api/v2/beneficiaries', headers: bearer(owner.sandboxSecret) });
    expect(list.json().page_meta.count).toBe(1);
  });

  it('enforces the notes keys the merchant requires (422), and the notes rules', async () => {
    const owner = await createTestMerchant();
    await setMerchant(app, owner.id, { beneficiary_required_notes: ['tax_identification_number'] });
    for (const notes of [undefined, null, {}, { tax_identification_number: ' ' }, { other: 'x' }]) {
      const response = await post(v2Body({ notes }), owner.sandboxSecret);
      expect(response.statusCode, JSON.stringify(notes)).toBe(422);
      expect(response.json()).toEqual({
        error: 'Unprocessable Entity', message: 'Validation failed: Notes tax_identification_number is required', code: 'VALIDATION_FAILED',
      });
    }
    const ok = await post(v2Body({ notes: { tax_identification_number: '12-3456789' } }), owner.sandboxSecret);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().notes).toEqual({ tax_identification_number: '12-3456789' });
    // Other merchants require nothing.
    expect((await post(v2Body())).statusCode).toBe(201);
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    for (const [notes, message] of [
      [{ tax_identification_number: 1 }, 'Validation failed: Notes tax_identification_number must be a string'],
      [{ tax_identification_number: 'x', status: 'vip' }, 'Validation failed: Notes status is a reserved field name'],
      [{ tax_identification_number: 'x'.repeat(501) }, 'Validation failed: Notes tax_identification_number is too long (maximum is 500 characters)'],
      [tooMany, 'Validation failed: Notes can have at most 50 keys'],
    ] as const) {
      const response = await post(v2Body({ notes }), owner.sandboxSecret);
      expect(response.statusCode).toBe(422);
      expect(response.json().message).toBe(message);
    }
  });
});

describe('beneficiary review: PATCH /api/v2/beneficiaries/{id}/mock-review', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    await setMerchant(app, merchant.id, { beneficiary_review: true });
  });

  const review = (id: string, action: string, key = merchant.sandboxSecret) =>
    app.inject({ method: 'PATCH', url: `/api/v2/beneficiaries/${id}/mock-review`, headers: bearer(key), payload: { review_action: action } });

  it('creates pending beneficiaries when review is on; approve makes one active, once', async () => {
    const created = await createBeneficiaryV2(app, merchant.sandboxSecret);
    expect(created.status).toBe('pending');
    const approved = await review(created.id, 'approve');
    expect(approved.statusCode, approved.body).toBe(200);
    expectSchema('BeneficiaryV2', approved.json(), '2026');
    expect(approved.json()).toMatchObject({ id: created.id, status: 'active' });
    const read = await app.inject({ method: 'GET', url: `/api/v2/beneficiaries/${created.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.json().status).toBe('active');
    expect(await eventsOf(created.id)).toEqual([
      { event_type: 'pending', status: 'pending', env: 'sandbox' },
      { event_type: 'active', status: 'active', env: 'sandbox' },
    ]);
    for (const action of ['approve', 'reject']) {
      const again = await review(created.id, action);
      expect(again.statusCode).toBe(422);
      expect(again.json()).toEqual({
        error: 'Unprocessable Entity', message: 'Beneficiary is active: only a pending beneficiary can be reviewed', code: 'INVALID_STATE',
      });
    }
    expect(await eventsOf(created.id)).toHaveLength(2);
  });

  it('reject makes a pending beneficiary rejected and records beneficiary.rejected', async () => {
    const created = await createBeneficiaryV2(app, merchant.sandboxSecret);
    const rejected = await review(created.id, 'reject');
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json().status).toBe('rejected');
    expect((await eventsOf(created.id)).map((e) => e.event_type)).toEqual(['pending', 'rejected']);
    const again = await review(created.id, 'approve');
    expect(again.statusCode).toBe(422);
    expect(again.json().message).toBe('Beneficiary is rejected: only a pending beneficiary can be reviewed');
  });

  it('lets one of concurrent reviews win', async () => {
    const created = await createBeneficiaryV2(app, merchant.sandboxSecret);
    const responses = await Promise.all([review(created.id, 'approve'), review(created.id, 'reject'), review(created.id, 'approve')]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 422, 422]);
    expect(await eventsOf(created.id)).toHaveLength(2);
  });

  it('lists by status', async () => {
    const owner = await createTestMerchant();
    await setMerchant(app, owner.id, { beneficiary_review: true });
    const pending = await createBeneficiaryV2(app, owner.sandboxSecret);
    const active = await createBeneficiaryV2(app, owner.sandboxSecret);
    await review(active.id, 'approve', owner.sandboxSecret);
    const list = (status: string) => app.inject({ method: 'GET', url: `/api/v2/beneficiaries?status=${status}`, headers: bearer(owner.sandboxSecret) });
    expect((await list('pending')).json().data.map((b: { id: string }) => b.id)).toEqual([pending.id]);
    expect((await list('active')).json().data.map((b: { id: string }) => b.id)).toEqual([active.id]);
    expect((await list('rejected')).json().data).toEqual([]);
    const bad = await list('deleted');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('Validation failed: Status must be one of: pending, active, rejected');
  });

  it('answers 400 for a bad review_action, 404 for unknown ids, and the unknown-route 404 for production keys', async () => {
    const created = await createBeneficiaryV2(app, merchant.sandboxSecret);
    const bad = await review(created.id, 'maybe');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('Validation failed: Review action must be one of: approve, reject');
    const unknown = await review('bene_6819d804aaaaa', 'approve');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ message: 'Beneficiary not found' });
    const production = await review(created.id, 'approve', merchant.productionSecret);
    expect(production.statusCode).toBe(404);
    expect(production.json()).toEqual({
      error: 'Not Found', message: `Route PATCH /api/v2/beneficiaries/${created.id}/mock-review not found`, code: 'ROUTE_NOT_FOUND',
    });
    // Another merchant's beneficiary is unknown to it.
    const other = await createTestMerchant();
    expect((await review(created.id, 'approve', other.sandboxSecret)).statusCode).toBe(404);
  });
});

describeListConventions('GET /api/v2/beneficiaries', {
  url: '/api/v2/beneficiaries',
  checkPage: (body) => {
    const page = body as { data: unknown[] };
    for (const item of page.data) expectSchema('BeneficiaryV2', item, '2026');
  },
  create: async (app, key) => (await createBeneficiaryV2(app, key)).id,
});

describeSecurity('POST /api/v2/beneficiaries', {
  method: 'POST',
  url: () => '/api/v2/beneficiaries',
  payload: () => v2Body(),
  successStatus: 201,
});

describeSecurity('GET /api/v2/beneficiaries', {
  method: 'GET',
  url: () => '/api/v2/beneficiaries',
  listedObject: async (app, owner) => (await createBeneficiaryV2(app, owner.sandboxSecret)).id,
});

describeSecurity('GET /api/v2/beneficiaries/{id}', {
  method: 'GET',
  url: (id) => `/api/v2/beneficiaries/${id}`,
  createObject: async (app, owner) => (await createBeneficiaryV2(app, owner.sandboxSecret)).id,
  notFoundMessage: 'Beneficiary not found',
  idPrefix: 'bene',
});

// The production key gets the unknown-route 404 (tested above), so the object cases are tested by hand there.
describeSecurity('PATCH /api/v2/beneficiaries/{id}/mock-review', {
  method: 'PATCH',
  url: () => '/api/v2/beneficiaries/bene_6819d804aaaaa/mock-review',
  payload: () => ({ review_action: 'approve' }),
});
