import { eq } from 'drizzle-orm';
import { Value } from 'typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { events } from '../../db/schema/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { createBeneficiaryV2 } from '../../../test/support/beneficiaries.js';
import { testEnv } from '../../../test/support/env.js';
import { uploadDocumentId } from '../../../test/support/fixtures.js';
import { expectLedgerConsistent, fundMerchant } from '../../../test/support/ledger.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';
import { Rfi, RfiList } from './schemas.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures through the API: a merchant with payout queueing, so that a new payout waits `queued`, from where the
// sandbox mock can put it `action_required`.

type Key = string;

async function queueingMerchant(app: App, usd = 1_000_000n): Promise<TestMerchant & { beneficiaryId: string }> {
  const merchant = await createTestMerchant();
  await fundMerchant(merchant.id, 'USD', usd);
  await enableQueueing(app, merchant.id);
  return { ...merchant, beneficiaryId: (await createBeneficiaryV2(app, merchant.sandboxSecret)).id };
}

async function enableQueueing(app: App, merchantId: string): Promise<void> {
  const patched = await app.inject({
    method: 'PATCH', url: `/admin/v1/merchants/${merchantId}`, headers: bearer(ADMIN_TOKEN), payload: { payout_queueing: true },
  });
  expect(patched.statusCode, patched.body).toBe(200);
}

async function queuedPayout(app: App, key: Key, beneficiaryId: string): Promise<string> {
  const response = await app.inject({
    method: 'POST', url: '/api/v1/payouts', headers: bearer(key),
    payload: { beneficiary_id: beneficiaryId, purpose_code: 'S0017', source_currency: 'USD', destination_currency: 'USD', source_amount: 10_000 },
  });
  expect(response.statusCode, response.body).toBe(201);
  expect(response.json().status).toBe('queued');
  return response.json().id;
}

const mock = (app: App, key: Key, id: string, status: string, extra: Record<string, unknown> = {}) =>
  app.inject({ method: 'PATCH', url: '/api/v1/payouts/mock', headers: bearer(key), payload: { id, status, ...extra } });

const respond = (app: App, key: Key, id: string, documents: unknown) =>
  app.inject({ method: 'PATCH', url: `/api/v1/rfis/${id}/respond`, headers: bearer(key), payload: { documents } });

const getJson = async (app: App, key: Key, url: string) => {
  const response = await app.inject({ method: 'GET', url, headers: bearer(key) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

/** The payout's RFIs, through the list filter. */
const rfisOf = async (app: App, key: Key, payoutId: string) =>
  (await getJson(app, key, `/api/v1/rfis?entity_id=${payoutId}`)).data as Rfi[];

/** A queued payout mocked `action_required` (with `rfi_document_ids` when given), and its RFI. */
async function heldPayout(app: App, key: Key, beneficiaryId: string, rfiDocumentIds?: string[]) {
  const payoutId = await queuedPayout(app, key, beneficiaryId);
  const held = await mock(app, key, payoutId, 'action_required', rfiDocumentIds ? { rfi_document_ids: rfiDocumentIds } : {});
  expect(held.statusCode, held.body).toBe(200);
  const [rfi, ...more] = await rfisOf(app, key, payoutId);
  expect(more).toEqual([]);
  return { payoutId, rfi: rfi! };
}

const available = async (app: App, key: Key) =>
  ((await getJson(app, key, '/api/v1/balances')).available as { currency: string; amount: number }[])
    .find((b) => b.currency === 'USD')?.amount ?? 0;

async function eventTypes(id: string): Promise<string[]> {
  const { database } = await testEnv();
  const rows = await database.db.select().from(events).where(eq(events.entityId, id)).orderBy(events.seq);
  return rows.map((row) => `${row.entityType}.${row.eventType}`);
}

// ---------------------------------------------------------------------------------------------------------------

describe('RFIs on payouts', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('runs queued → action_required (RFI raised) → respond (RFI under_review, payout under review) → pending → success', async () => {
    const merchant = await queueingMerchant(app);
    const key = merchant.sandboxSecret;
    const payoutId = await queuedPayout(app, key, merchant.beneficiaryId);
    const held = await mock(app, key, payoutId, 'action_required');
    expect(held.json().status).toBe('action_required');
    // The payout does not carry the RFI id (notes-payouts §11.4).
    expect(JSON.stringify(held.json())).not.toContain('rfi_');

    const [rfi] = await rfisOf(app, key, payoutId);
    expect(Value.Check(Rfi, rfi)).toBe(true);
    expect(rfi).toEqual({
      id: expect.stringMatching(/^rfi_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      status: 'action_required', entity_type: 'payout', entity_id: payoutId,
      reason_code: 'COMPLIANCE_REVIEW', reason_code_description: expect.any(String), response_deadline: null,
      documents_required: [{
        rfi_doc_id: expect.stringMatching(/^rfidoc_[0-9a-f]{8}[0-9A-Za-z]{5}$/), description: 'Invoice', multiple_allowed: false, max_count: 1,
      }],
      responses: [], created_at: expect.any(String), updated_at: expect.any(String),
    });
    expect(await getJson(app, key, `/api/v1/rfis/${rfi!.id}`)).toEqual(rfi);
    expect((await getJson(app, key, '/api/v1/rfis?status=action_required')).data.map((r: Rfi) => r.id)).toEqual([rfi!.id]);

    const document = await uploadDocumentId(app, key, 'invoice');
    const rfiDocId = rfi!.documents_required[0]!.rfi_doc_id;
    const answered = await respond(app, key, rfi!.id, [{ rfi_doc_id: rfiDocId, doc_id: document }]);
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json()).toEqual({ ...rfi, status: 'under_review', responses: [{ rfi_doc_id: rfiDocId, doc_id: document }], updated_at: expect.any(String) });
    expect(await getJson(app, key, `/api/v1/rfis/${rfi!.id}`)).toEqual(answered.json());

    // The payout is back under review: in_progress, nothing held, the document attached to the requirement.
    const reviewed = await getJson(app, key, `/api/v1/payouts/${payoutId}`);
    expect(reviewed).toMatchObject({ status: 'in_progress', documents: [{ id: document, type: 'invoice', status: 'uploaded', rfi_doc_id: rfiDocId }] });
    expect((await getJson(app, key, '/api/v1/payouts?status=under_review')).data.map((p: { id: string }) => p.id)).toEqual([payoutId]);
    expect(await available(app, key)).toBe(1_000_000);
    await expectLedgerConsistent(merchant.id);

    expect((await mock(app, key, payoutId, 'pending')).json().status).toBe('in_progress');
    // Released from review: the RFI is closed as approved.
    expect((await getJson(app, key, `/api/v1/rfis/${rfi!.id}`)).status).toBe('approved');
    expect(await available(app, key)).toBe(1_000_000 - 11_500);
    expect((await mock(app, key, payoutId, 'success')).json().status).toBe('success');
    expect(await available(app, key)).toBe(1_000_000 - 11_500);
    await expectLedgerConsistent(merchant.id);
    expect(await eventTypes(payoutId)).toEqual([
      'payout.queued', 'payout.action_required', 'payout.in_progress', 'payout.in_progress', 'payout.success',
    ]);
    // RFIs raise no events of their own (notes-payouts §11.4: no webhook fires when an RFI is raised).
    expect(await eventTypes(rfi!.id)).toEqual([]);
  });

  it('closes the open RFI as rejected when its payout fails under review or is cancelled', async () => {
    const merchant = await queueingMerchant(app);
    const key = merchant.sandboxSecret;
    const outcomes: string[] = [];
    for (const end of ['failed', 'cancelled'] as const) {
      const payoutId = await queuedPayout(app, key, merchant.beneficiaryId);
      expect((await mock(app, key, payoutId, 'action_required')).statusCode).toBe(200);
      const [rfi] = (await getJson(app, key, `/api/v1/rfis?entity_id=${payoutId}`)).data as { id: string }[];
      if (end === 'failed') {
        const document = await uploadDocumentId(app, key, 'invoice');
        const answered = await app.inject({
          method: 'PATCH', url: `/api/v1/payouts/${payoutId}/update_rfi`, headers: bearer(key), payload: { documents: [{ id: document }] },
        });
        expect(answered.statusCode, answered.body).toBe(200);
      }
      expect((await mock(app, key, payoutId, end)).statusCode).toBe(200);
      outcomes.push((await getJson(app, key, `/api/v1/rfis/${rfi!.id}`)).status);
    }
    expect(outcomes).toEqual(['rejected', 'rejected']);
  });

  it('asks for the mock\'s rfi_document_ids and refuses incomplete, unknown, repeated and foreign answers, changing nothing', async () => {
    const merchant = await queueingMerchant(app);
    const key = merchant.sandboxSecret;
    const { payoutId, rfi } = await heldPayout(app, key, merchant.beneficiaryId, ['rfidoc_5JU9yv0lGSUP', 'rfidoc_6a8fd80eXyZ12']);
    expect(rfi.documents_required).toEqual([
      { rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', description: 'Supporting document', multiple_allowed: false, max_count: 1 },
      { rfi_doc_id: 'rfidoc_6a8fd80eXyZ12', description: 'Supporting document', multiple_allowed: false, max_count: 1 },
    ]);
    const [a, b] = [await uploadDocumentId(app, key), await uploadDocumentId(app, key)];
    const other = await createTestMerchant();
    const foreign = await uploadDocumentId(app, other.sandboxSecret);

    const refusals: [unknown, number, string][] = [
      [[{ rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', doc_id: a }], 400, 'Validation failed: Documents must answer every required document: missing rfidoc_6a8fd80eXyZ12'],
      [[{ rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', doc_id: a }, { rfi_doc_id: 'rfidoc_000000000000', doc_id: b }], 400,
        `Validation failed: RFI ${rfi.id} does not require rfidoc_000000000000`],
      [[{ rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', doc_id: a }, { rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', doc_id: b }], 400,
        'Validation failed: Documents repeat rfi_doc_id rfidoc_5JU9yv0lGSUP'],
      [[{ rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', doc_id: a }, { rfi_doc_id: 'rfidoc_6a8fd80eXyZ12', doc_id: a }], 400, `Validation failed: Documents repeat id ${a}`],
      [[{ rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', doc_id: a }, { rfi_doc_id: 'rfidoc_6a8fd80eXyZ12', doc_id: foreign }], 404, 'Document not found'],
      [[{ rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', doc_id: a }, { rfi_doc_id: 'rfidoc_6a8fd80eXyZ12', doc_id: 'doc_6819d804aaaaa' }], 404, 'Document not found'],
      [[{ rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', doc_id: a }, { rfi_doc_id: 'rfidoc_6a8fd80eXyZ12', doc_id: 'cust_6819d804aaaaa' }], 400,
        'Validation failed: Document ID must start with doc_ and be valid.'],
      [[], 400, ''],
      [[{ rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', doc_id: a, fields: {} }], 400, ''],
      [[{ rfi_doc_id: 'rfidoc_5JU9yv0lGSUP' }], 400, ''],
    ];
    for (const [documents, status, message] of refusals) {
      const response = await respond(app, key, rfi.id, documents);
      expect(response.statusCode, JSON.stringify(documents)).toBe(status);
      if (message) expect(response.json().message).toBe(message);
    }
    const extra = await app.inject({
      method: 'PATCH', url: `/api/v1/rfis/${rfi.id}/respond`, headers: bearer(key), payload: { documents: [{ rfi_doc_id: 'x', doc_id: a }], fields: [] },
    });
    expect(extra.statusCode).toBe(400);
    // Nothing changed.
    expect(await getJson(app, key, `/api/v1/rfis/${rfi.id}`)).toEqual(rfi);
    expect(await getJson(app, key, `/api/v1/payouts/${payoutId}`)).toMatchObject({ status: 'action_required', documents: [] });
    expect(await eventTypes(payoutId)).toEqual(['payout.queued', 'payout.action_required']);

    const answered = await respond(app, key, rfi.id, [
      { rfi_doc_id: 'rfidoc_6a8fd80eXyZ12', doc_id: b }, { rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', doc_id: a },
    ]);
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json().status).toBe('under_review');
    expect((await getJson(app, key, `/api/v1/payouts/${payoutId}`)).documents.map((d: { id: string; rfi_doc_id: string }) => [d.id, d.rfi_doc_id]))
      .toEqual([[b, 'rfidoc_6a8fd80eXyZ12'], [a, 'rfidoc_5JU9yv0lGSUP']]);

    const again = await respond(app, key, rfi.id, [{ rfi_doc_id: 'rfidoc_5JU9yv0lGSUP', doc_id: a }, { rfi_doc_id: 'rfidoc_6a8fd80eXyZ12', doc_id: b }]);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ message: 'RFI is under_review: it can only be answered while action_required', code: 'INVALID_STATE' });
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses bad rfi_document_ids on the mock and leaves the payout queued without an RFI', async () => {
    const merchant = await queueingMerchant(app);
    const key = merchant.sandboxSecret;
    const payoutId = await queuedPayout(app, key, merchant.beneficiaryId);
    for (const [ids, message] of [
      [['doc_6819d804aaaaa'], 'Validation failed: RFI document ID must start with rfidoc_ and be valid.'],
      [['rfidoc_5JU9yv0lGSUP', ' rfidoc_5JU9yv0lGSUP'], 'Validation failed: rfi_document_ids repeat rfidoc_5JU9yv0lGSUP'],
      [Array.from({ length: 21 }, (_, i) => `rfidoc_${String(i).padStart(12, '0')}`), 'Validation failed: rfi_document_ids can list at most 20 documents'],
    ] as const) {
      const response = await mock(app, key, payoutId, 'action_required', { rfi_document_ids: ids });
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toBe(message);
    }
    expect((await getJson(app, key, `/api/v1/payouts/${payoutId}`)).status).toBe('queued');
    expect(await rfisOf(app, key, payoutId)).toEqual([]);
    // An empty list asks for the default invoice.
    expect((await mock(app, key, payoutId, 'action_required', { rfi_document_ids: [] })).statusCode).toBe(200);
    expect((await rfisOf(app, key, payoutId)).map((rfi) => rfi.documents_required.map((d) => d.description))).toEqual([['Invoice']]);
  });

  it('reopens the same RFI when a payout under review is asked again, with new requirements only when sent', async () => {
    const merchant = await queueingMerchant(app);
    const key = merchant.sandboxSecret;
    const { payoutId, rfi } = await heldPayout(app, key, merchant.beneficiaryId);
    const first = await uploadDocumentId(app, key);
    const requirement = rfi.documents_required[0]!.rfi_doc_id;
    expect((await respond(app, key, rfi.id, [{ rfi_doc_id: requirement, doc_id: first }])).statusCode).toBe(200);

    expect((await mock(app, key, payoutId, 'action_required')).json().status).toBe('action_required');
    const [reopened, ...more] = await rfisOf(app, key, payoutId);
    expect(more).toEqual([]);
    expect(reopened).toMatchObject({ id: rfi.id, status: 'action_required', documents_required: rfi.documents_required });
    const second = await uploadDocumentId(app, key);
    expect((await respond(app, key, rfi.id, [{ rfi_doc_id: requirement, doc_id: second }])).json())
      .toMatchObject({ status: 'under_review', responses: [{ rfi_doc_id: requirement, doc_id: second }] });

    expect((await mock(app, key, payoutId, 'action_required', { rfi_document_ids: ['rfidoc_6a8fd80eNEW01'] })).statusCode).toBe(200);
    expect(await getJson(app, key, `/api/v1/rfis/${rfi.id}`)).toMatchObject({
      status: 'action_required', documents_required: [{ rfi_doc_id: 'rfidoc_6a8fd80eNEW01', description: 'Supporting document' }],
    });
    expect((await respond(app, key, rfi.id, [{ rfi_doc_id: requirement, doc_id: second }])).statusCode).toBe(400);
    expect((await respond(app, key, rfi.id, [{ rfi_doc_id: 'rfidoc_6a8fd80eNEW01', doc_id: first }])).statusCode).toBe(200);
    expect((await getJson(app, key, `/api/v1/payouts/${payoutId}`)).documents.map((d: { id: string }) => d.id)).toEqual([first, second]);
    expect(await eventTypes(payoutId)).toEqual([
      'payout.queued', 'payout.action_required', 'payout.in_progress', 'payout.action_required', 'payout.in_progress',
      'payout.action_required', 'payout.in_progress',
    ]);
  });

  it('marks the RFI under_review when the legacy update_rfi answers the payout, after which respond is refused', async () => {
    const merchant = await queueingMerchant(app);
    const key = merchant.sandboxSecret;
    const { payoutId, rfi } = await heldPayout(app, key, merchant.beneficiaryId);
    const document = await uploadDocumentId(app, key);
    const requirement = rfi.documents_required[0]!.rfi_doc_id;
    const legacy = await app.inject({
      method: 'PATCH', url: `/api/v1/payouts/${payoutId}/update_rfi`, headers: bearer(key),
      payload: { documents: [{ id: document, rfi_doc_id: requirement }] },
    });
    expect(legacy.statusCode, legacy.body).toBe(200);
    expect(legacy.json().status).toBe('in_progress');
    expect(await getJson(app, key, `/api/v1/rfis/${rfi.id}`))
      .toMatchObject({ status: 'under_review', responses: [{ rfi_doc_id: requirement, doc_id: document }] });
    const refused = await respond(app, key, rfi.id, [{ rfi_doc_id: requirement, doc_id: document }]);
    expect(refused.json()).toMatchObject({ message: 'RFI is under_review: it can only be answered while action_required', code: 'INVALID_STATE' });
  });

  it('refuses to answer the RFI of a cancelled payout', async () => {
    const merchant = await queueingMerchant(app);
    const key = merchant.sandboxSecret;
    const { payoutId, rfi } = await heldPayout(app, key, merchant.beneficiaryId);
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/payouts/${payoutId}/cancel`, headers: bearer(key) })).json().status).toBe('cancelled');
    const document = await uploadDocumentId(app, key);
    const refused = await respond(app, key, rfi.id, [{ rfi_doc_id: rfi.documents_required[0]!.rfi_doc_id, doc_id: document }]);
    expect(refused.statusCode).toBe(400);
    // Cancelling closed the RFI.
    expect(refused.json()).toMatchObject({ message: 'RFI is rejected: it can only be answered while action_required', code: 'INVALID_STATE' });
    expect((await getJson(app, key, `/api/v1/rfis/${rfi.id}`)).status).toBe('rejected');
    expect(await getJson(app, key, `/api/v1/payouts/${payoutId}`)).toMatchObject({ status: 'cancelled', documents: [] });
    await expectLedgerConsistent(merchant.id);
  });

  it('lets one of concurrent responses to an RFI win; the others answer INVALID_STATE', async () => {
    const merchant = await queueingMerchant(app);
    const key = merchant.sandboxSecret;
    const { payoutId, rfi } = await heldPayout(app, key, merchant.beneficiaryId);
    const requirement = rfi.documents_required[0]!.rfi_doc_id;
    const documents = await Promise.all(Array.from({ length: 5 }, () => uploadDocumentId(app, key)));
    const responses = await Promise.all(documents.map((doc) => respond(app, key, rfi.id, [{ rfi_doc_id: requirement, doc_id: doc }])));
    const won = responses.filter((r) => r.statusCode === 200);
    expect(won).toHaveLength(1);
    for (const lost of responses.filter((r) => r.statusCode !== 200)) {
      expect(lost.statusCode).toBe(400);
      expect(lost.json()).toMatchObject({ message: 'RFI is under_review: it can only be answered while action_required', code: 'INVALID_STATE' });
    }
    const winner = won[0]!.json().responses[0].doc_id as string;
    expect(await getJson(app, key, `/api/v1/rfis/${rfi.id}`)).toMatchObject({ status: 'under_review', responses: [{ rfi_doc_id: requirement, doc_id: winner }] });
    expect((await getJson(app, key, `/api/v1/payouts/${payoutId}`)).documents.map((d: { id: string }) => d.id)).toEqual([winner]);
    expect(await eventTypes(payoutId)).toEqual(['payout.queued', 'payout.action_required', 'payout.in_progress']);
  });

  it('filters on status and entity_id', async () => {
    const merchant = await queueingMerchant(app);
    const key = merchant.sandboxSecret;
    const first = await heldPayout(app, key, merchant.beneficiaryId);
    const second = await heldPayout(app, key, merchant.beneficiaryId);
    const document = await uploadDocumentId(app, key);
    await respond(app, key, second.rfi.id, [{ rfi_doc_id: second.rfi.documents_required[0]!.rfi_doc_id, doc_id: document }]);
    const ids = async (query: string) => (await getJson(app, key, `/api/v1/rfis${query}`)).data.map((r: Rfi) => r.id);
    expect(await ids('')).toEqual([second.rfi.id, first.rfi.id]);
    expect(await ids('?status=action_required')).toEqual([first.rfi.id]);
    expect(await ids('?status=under_review')).toEqual([second.rfi.id]);
    expect(await ids(`?entity_id=${second.payoutId}`)).toEqual([second.rfi.id]);
    expect(await ids(`?entity_id=${second.payoutId}&status=action_required`)).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/v1/rfis?status=pending', headers: bearer(key) })).statusCode).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Conventions and security.

const SECURITY_REQUIREMENT = 'rfidoc_6819d804sEcUr';
let securityDocument = '';

/** An RFI of `owner`'s (a queued payout mocked action_required), with a document to answer it. */
async function ownedRfi(app: App, owner: TestMerchant): Promise<string> {
  await enableQueueing(app, owner.id);
  const beneficiary = await createBeneficiaryV2(app, owner.sandboxSecret);
  securityDocument = await uploadDocumentId(app, owner.sandboxSecret);
  return (await heldPayout(app, owner.sandboxSecret, beneficiary.id, [SECURITY_REQUIREMENT])).rfi.id;
}

const listBeneficiary = new Map<string, string>();
describeListConventions('GET /api/v1/rfis', {
  url: '/api/v1/rfis',
  checkPage: (body) => expect(Value.Check(RfiList, body)).toBe(true),
  create: async (app, key, index) => {
    if (index === 0) {
      // The suite makes the merchant; its id is the secret key's subject.
      const merchantId = (JSON.parse(Buffer.from(key.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
      await enableQueueing(app, merchantId);
      listBeneficiary.set(key, (await createBeneficiaryV2(app, key)).id);
    }
    return (await heldPayout(app, key, listBeneficiary.get(key)!)).rfi.id;
  },
});

describeSecurity('GET /api/v1/rfis', {
  method: 'GET',
  url: () => '/api/v1/rfis',
  listedObject: ownedRfi,
});

describeSecurity('GET /api/v1/rfis/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/rfis/${id}`,
  createObject: ownedRfi,
  notFoundMessage: 'RFI not found',
  idPrefix: 'rfi',
});

describeSecurity('PATCH /api/v1/rfis/{id}/respond', {
  method: 'PATCH',
  url: (id) => `/api/v1/rfis/${id}/respond`,
  payload: () => ({ documents: [{ rfi_doc_id: SECURITY_REQUIREMENT, doc_id: securityDocument }] }),
  createObject: ownedRfi,
  notFoundMessage: 'RFI not found',
  idPrefix: 'rfi',
});
