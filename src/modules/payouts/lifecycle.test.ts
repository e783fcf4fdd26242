// Every transition of the payout lifecycle, legal and illegal (docs/decisions/0015-payouts.md, Lifecycle): each
// state is reached through the API, each action tried on a fresh payout in it, and the outcome, the balance and the
// ledger checked.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { createBeneficiaryV2 } from '../../../test/support/beneficiaries.js';
import { uploadDocumentId } from '../../../test/support/fixtures.js';
import { expectLedgerConsistent, fundMerchant } from '../../../test/support/ledger.js';

type State = 'pending_approval' | 'queued' | 'processing' | 'under_review' | 'action_required' | 'success' | 'failed' | 'cancelled';
type Action = 'cancel' | 'pending' | 'success' | 'failed' | 'action_required' | 'mock_cancelled' | 'update_rfi';

/** What each action does from each state: the status reached and whether funds end up held, or refused. */
const TABLE: Record<State, Partial<Record<Action, { status: string; held: boolean }>>> = {
  pending_approval: {
    cancel: { status: 'cancelled', held: false }, pending: { status: 'in_progress', held: true },
    action_required: { status: 'action_required', held: false }, mock_cancelled: { status: 'cancelled', held: false },
  },
  queued: {
    cancel: { status: 'cancelled', held: false }, pending: { status: 'in_progress', held: true }, failed: { status: 'failed', held: false },
    action_required: { status: 'action_required', held: false }, mock_cancelled: { status: 'cancelled', held: false },
  },
  processing: { success: { status: 'success', held: false }, failed: { status: 'failed', held: false } },
  under_review: {
    cancel: { status: 'cancelled', held: false }, pending: { status: 'in_progress', held: true }, failed: { status: 'failed', held: false },
    action_required: { status: 'action_required', held: false }, mock_cancelled: { status: 'cancelled', held: false },
  },
  action_required: {
    cancel: { status: 'cancelled', held: false }, mock_cancelled: { status: 'cancelled', held: false },
    update_rfi: { status: 'in_progress', held: false },
  },
  success: {},
  failed: {},
  cancelled: {},
};

const ACTIONS: Action[] = ['cancel', 'pending', 'success', 'failed', 'action_required', 'mock_cancelled', 'update_rfi'];
const AMOUNT = 10_000;
const HOLD = AMOUNT + 1_500;
const FUNDS = 10_000_000;

describe('the payout lifecycle, every state × every action', () => {
  let app: App;
  const merchants: Record<'plain' | 'queueing' | 'checker', TestMerchant & { beneficiaryId: string }> = {} as never;

  beforeAll(async () => {
    ({ app } = await buildTestApp());
    for (const [name, settings] of [['plain', {}], ['queueing', { payout_queueing: true }], ['checker', { maker_checker: true }]] as const) {
      const merchant = await createTestMerchant();
      await fundMerchant(merchant.id, 'USD', BigInt(FUNDS));
      const patched = await app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${merchant.id}`, headers: bearer(ADMIN_TOKEN), payload: settings });
      expect(patched.statusCode).toBe(200);
      merchants[name] = { ...merchant, beneficiaryId: (await createBeneficiaryV2(app, merchant.sandboxSecret)).id };
    }
  });

  const api = (merchant: TestMerchant, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) =>
    app.inject({ method, url, headers: bearer(merchant.sandboxSecret), ...(payload ? { payload } : {}) });

  async function create(merchant: TestMerchant & { beneficiaryId: string }): Promise<string> {
    const response = await api(merchant, 'POST', '/api/v1/payouts', {
      beneficiary_id: merchant.beneficiaryId, purpose_code: 'S0017', source_currency: 'USD', destination_currency: 'USD', source_amount: AMOUNT,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id;
  }

  const mock = (merchant: TestMerchant, id: string, status: string) => api(merchant, 'PATCH', '/api/v1/payouts/mock', { id, status });

  async function act(merchant: TestMerchant, id: string, action: Action) {
    switch (action) {
      case 'cancel':
        return api(merchant, 'PATCH', `/api/v1/payouts/${id}/cancel`);
      case 'mock_cancelled':
        return mock(merchant, id, 'cancelled');
      case 'update_rfi':
        return api(merchant, 'PATCH', `/api/v1/payouts/${id}/update_rfi`, { documents: [{ id: await uploadDocumentId(app, merchant.sandboxSecret) }] });
      default:
        return mock(merchant, id, action);
    }
  }

  /** A fresh payout in `state`, and the merchant it belongs to. */
  async function payoutIn(state: State): Promise<{ merchant: TestMerchant; id: string }> {
    const expectStep = async (merchant: TestMerchant, id: string, action: Action) => {
      const response = await act(merchant, id, action);
      expect(response.statusCode, `${state}: ${action} ${response.body}`).toBe(200);
    };
    switch (state) {
      case 'pending_approval':
        return { merchant: merchants.checker, id: await create(merchants.checker) };
      case 'queued':
        return { merchant: merchants.queueing, id: await create(merchants.queueing) };
      case 'processing':
        return { merchant: merchants.plain, id: await create(merchants.plain) };
      case 'action_required': {
        const id = await create(merchants.queueing);
        await expectStep(merchants.queueing, id, 'action_required');
        return { merchant: merchants.queueing, id };
      }
      case 'under_review': {
        const { merchant, id } = await payoutIn('action_required');
        await expectStep(merchant, id, 'update_rfi');
        return { merchant, id };
      }
      case 'success':
      case 'failed': {
        const id = await create(merchants.plain);
        await expectStep(merchants.plain, id, state);
        return { merchant: merchants.plain, id };
      }
      case 'cancelled': {
        const id = await create(merchants.queueing);
        await expectStep(merchants.queueing, id, 'cancel');
        return { merchant: merchants.queueing, id };
      }
    }
  }

  /** The merchant's available USD balance. */
  const available = async (merchant: TestMerchant) =>
    ((await api(merchant, 'GET', '/api/v1/balances')).json().available as { currency: string; amount: number }[])
      .find((b) => b.currency === 'USD')!.amount;

  for (const state of Object.keys(TABLE) as State[]) {
    for (const action of ACTIONS) {
      const expected = TABLE[state][action];
      it(`${state} --${action}--> ${expected ? expected.status : 'refused'}`, async () => {
        const { merchant, id } = await payoutIn(state);
        const before = await (await api(merchant, 'GET', `/api/v1/payouts/${id}`)).json();
        const availableBefore = await available(merchant);
        const heldBefore = state === 'processing';
        const response = await act(merchant, id, action);
        const after = (await api(merchant, 'GET', `/api/v1/payouts/${id}`)).json();
        if (!expected) {
          expect(response.statusCode, response.body).toBe(400);
          expect(response.json().code).toBe('INVALID_STATE');
          expect(after).toEqual(before);
          expect(await available(merchant)).toBe(availableBefore);
        } else {
          expect(response.statusCode, response.body).toBe(200);
          expect(after.status).toBe(expected.status);
          // The balance moves by the hold taken or released; a success keeps it spent.
          const change = (expected.held ? HOLD : 0) - (heldBefore && expected.status !== 'success' ? HOLD : 0);
          expect(await available(merchant)).toBe(availableBefore - change);
        }
        await expectLedgerConsistent(merchant.id);
      });
    }
  }
});
