// GET /openapi.json is generated from the route schemas and shaped like Glomo's document (decision 0042): every
// public operation we serve must be the contract's (same path, method and operationId) and take the JWT scheme.
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { API_TAGS, TAG_GROUPS } from '../src/api-docs/tags.js';
import { checkPayoutPurpose, payoutPurpose, requiredDocuments } from '../src/modules/payouts/purpose-codes.js';
import { buildTestApp } from './support/app.js';
import { servedPaths } from './support/contract.js';

interface Operation {
  operationId?: string;
  security?: unknown;
  description?: string;
  tags?: string[];
}
interface OpenApiDoc {
  openapi: string;
  servers?: { url: string }[];
  security?: unknown;
  tags?: { name: string }[];
  'x-tagGroups'?: { name: string; tags: string[] }[];
  paths: Record<string, Record<string, Operation> & { servers?: { url: string }[] }>;
  components: { securitySchemes: Record<string, unknown> };
}
const contracts = ['glomo-openapi-2025.json', 'glomo-openapi-2026-excerpt.json'].map(
  (file) => JSON.parse(fs.readFileSync(new URL(`./contract/${file}`, import.meta.url), 'utf8')) as OpenApiDoc,
);

function contractOperation(path: string, method: string): Operation | undefined {
  for (const contract of contracts) {
    const operation = contract.paths[path]?.[method];
    if (operation) return operation;
  }
  return undefined;
}

describe('GET /openapi.json and /docs', () => {
  let app: App;
  let origin: string;
  let doc: OpenApiDoc;
  /** The operations by the full path they are served at (`/api/v1/customer`), whatever the document writes. */
  let served: [string, Record<string, Operation>][];
  beforeAll(async () => {
    let config;
    ({ app, config } = await buildTestApp());
    origin = config.publicUrl;
    const response = await app.inject('/openapi.json');
    expect(response.statusCode).toBe(200);
    doc = response.json();
    served = servedPaths(doc) as [string, Record<string, Operation>][];
  });

  it('is an OpenAPI 3.1 document with the JWT bearer scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.JWT).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it('is shaped like Glomo\'s: one server ending in /api/v1, paths relative to it, the bearer scheme the default', () => {
    expect(doc.servers).toEqual([{ url: `${origin}/api/v1`, description: 'This server' }]);
    expect(doc.security).toEqual([{ JWT: [] }]);
    // Written as Glomo writes them: /customer, and the v2 paths as /v2/… under a path-level server of /api.
    expect(doc.paths['/customer']).toHaveProperty('post');
    expect(doc.paths['/customer']!.servers).toBeUndefined();
    expect(doc.paths['/v2/beneficiaries']!.servers).toEqual([{ url: `${origin}/api` }]);
    expect(doc.paths['/admin/v1/merchants']!.servers).toEqual([{ url: origin }]);
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/api/v1/'))).toEqual([]);
    // Resolved through its servers, every path is where the server serves it: a generated client calls the same URL.
    for (const [path, operations] of served) {
      for (const method of Object.keys(operations)) {
        expect(app.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), `${method} ${path}`).toBe(true);
      }
    }
  });

  it('says of every operation which key it takes, and describes it', () => {
    for (const [path, operations] of served) {
      for (const [method, operation] of Object.entries(operations)) {
        const label = `${method.toUpperCase()} ${path}`;
        const expected = path.startsWith('/admin/') ? [{ AdminToken: [] }]
          : path.startsWith('/api/v1/') || path.startsWith('/api/v2/') ? [{ JWT: [] }] : [];
        expect(operation.security, label).toEqual(expected);
        expect(operation.description?.trim().length ?? 0, `${label} has no description`).toBeGreaterThan(20);
      }
    }
  });

  it('names and orders its tags like the contract, each in one group', () => {
    const contractTags = (contracts[0] as unknown as { tags: { name: string }[] }).tags.map((tag) => tag.name);
    const ours = doc.tags!.map((tag) => tag.name);
    const used = new Set(served.flatMap(([, operations]) => Object.values(operations).flatMap((operation) => operation.tags ?? [])));
    expect(new Set(ours)).toEqual(used);
    // The contract's tags we serve come first, in its order (the 2026 document's beneficiary_v2 beside Beneficiary).
    const shared = contractTags.filter((tag) => used.has(tag));
    expect(ours.filter((tag) => contractTags.includes(tag))).toEqual(shared);
    expect(ours.slice(0, shared.length + 1).filter((tag) => tag !== 'beneficiary_v2')).toEqual(shared);
    expect(shared.length).toBeGreaterThan(15);
    const grouped = doc['x-tagGroups']!.flatMap((group) => group.tags);
    expect([...grouped].sort()).toEqual([...ours].sort());
    expect(new Set(grouped).size).toBe(grouped.length);
    // The contract's groups keep their names and order.
    const contractGroups = (contracts[0] as unknown as { 'x-tagGroups': { name: string }[] })['x-tagGroups'].map((group) => group.name);
    expect(doc['x-tagGroups']!.map((group) => group.name).slice(0, contractGroups.length)).toEqual(contractGroups);
    expect(TAG_GROUPS.flatMap((group) => group.tags).sort()).toEqual(API_TAGS.map((tag) => tag.name).sort());
  });

  it('gives example purpose codes that a payout accepts as shown, without documents', () => {
    const payouts = served.filter(([path]) => path.startsWith('/api/v1/payouts')).map(([, operations]) => operations);
    const examples = JSON.stringify(payouts).match(/"purpose_code":\{[^{}]*"examples":\["(\w+)"/g) ?? [];
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const code = /"(\w+)"$/.exec(example)![1]!;
      expect(checkPayoutPurpose(code).ok, code).toBe(true);
      expect(requiredDocuments(payoutPurpose(code)!), code).toEqual([]);
    }
  });

  it('describes every /api/v1 operation as the contract does', () => {
    const ours = served.filter(([path]) => path.startsWith('/api/v1/'));
    const count = ours.reduce((n, [, operations]) => n + Object.keys(operations).length, 0);
    expect(count).toBe(103);
    for (const [path, operations] of ours) {
      for (const [method, operation] of Object.entries(operations)) {
        const contractPath = path.replace(/^\/api\/v1/, '');
        const expected = contractOperation(contractPath, method);
        const label = `${method.toUpperCase()} ${path}`;
        if (expected?.operationId) expect(operation.operationId, label).toBe(expected.operationId);
        else {
          // Extensions, each documented in docs/decisions/0004-contract-choices.md.
          // Webhook endpoints: docs/decisions/0008-webhook-endpoints.md.
          expect([
            'getDocumentById', 'getBalanceConversion', 'createQuote', 'getQuote',
            'createWebhookEndpoint', 'listWebhookEndpoints', 'getWebhookEndpoint', 'updateWebhookEndpoint',
            'deleteWebhookEndpoint', 'rotateWebhookEndpointSecret',
            // Events and delivery: docs/decisions/0009-webhook-delivery.md.
            'getEvents', 'getEventById', 'redeliverEvent', 'testWebhookEndpoint',
            // The hyphenated RFI path the live API serves (notes-payins §6.5).
            'updateOrderRfiHyphen',
            // The hosted checkout's payment step (/api/public/v1): docs/decisions/0011-hosted-checkout.md.
            'getCheckoutBankTransferDetails', 'createCheckoutPayment',
            // Withdrawals: the retrieve and the sandbox status mock (docs/decisions/0016-withdrawals.md).
            'getWithdrawalById', 'mockUpdateWithdrawalStatus',
            // The RFI resource (notes-payouts §13.8; not in the contract files): docs/decisions/0017-rfis.md.
            'getRfis', 'getRfi', 'respondRfi',
            // The sandbox test clock: docs/decisions/0018-sandbox-test-clock.md.
            'getSandboxClock', 'advanceSandboxClock',
            // Server-to-server payments (notes-payins §8.2 names it; not in the contract files): decision 0027.
            'createPayment',
            // Subscriptions: the next payment date (notes-payins §11.3) and the sandbox renewal outcome: decision 0026.
            'updateNextPaymentDate', 'mockSubscriptionRenewalOutcome',
            // Closing a virtual account (in the 2026 paths, not the 2025 document): decision 0029.
            'closeVirtualAccount',
            // The sandbox settlement trigger (notes-payouts §20; not in the contract files): decision 0030.
            'triggerMockSettlement',
            // Held bank transfers (notes-payins §8.6 names them from the guides; bodies inferred) and the virtual
            // account's sandbox transfer (issue 14): decision 0032.
            'getEligiblePayins', 'connectPayin', 'mockVirtualAccountTransfer',
            // A platform's list of its children and the sandbox onboarding review (notes-payouts §21): decision 0035.
            'listPlatformMerchants', 'updateMerchantStatus',
            // Reading internal transfers back, for reconciliation: decision 0034.
            'listInternalTransfers', 'getInternalTransfer',
            // Credentials for Glomo's MCP server (minted in Glomo's dashboard): decision 0036.
            'createMcpCredential', 'listMcpCredentials', 'revokeMcpCredential',
            // One currency's balances over time from the ledger, what the dashboard charts: decision 0004.
            'getBalanceHistory',
            // The customer mail log, what the dashboard shows of the mails sent to customers: decision 0041.
            'listMails', 'getMail',
          ], `${label} is not in the contract`).toContain(operation.operationId);
        }
        expect(operation.security, label).toEqual([{ JWT: [] }]);
      }
    }
  });

  it('describes every /api/v2 operation as the contract does (mock-review: the notes\' sandbox helper)', () => {
    const ours = served.filter(([path]) => path.startsWith('/api/v2/'));
    const operations = ours.flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
    expect(operations.map(({ path, method, operation }) => `${method.toUpperCase()} ${path} ${operation.operationId}`).sort()).toEqual([
      'DELETE /api/v2/virtual-accounts closeVirtualAccountV2',
      'GET /api/v2/beneficiaries listBeneficiariesV2',
      'GET /api/v2/beneficiaries/{id} getBeneficiaryByIdV2',
      'GET /api/v2/virtual-accounts getVirtualAccountsV2',
      'PATCH /api/v2/beneficiaries/{id}/mock-review mockReviewBeneficiaryV2',
      'POST /api/v2/beneficiaries createBeneficiaryV2',
      'POST /api/v2/virtual-accounts createVirtualAccountV2',
    ]);
    for (const { path, method, operation } of operations) {
      const expected = contractOperation(path.replace(/^\/api/, ''), method);
      if (expected?.operationId) expect(operation.operationId, path).toBe(expected.operationId);
      expect(operation.security, path).toEqual([{ JWT: [] }]);
    }
  });

  it('serves the API reference page with its script from this server (no CDN)', async () => {
    const page = await app.inject('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const scripts = [...page.body.matchAll(/src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src).not.toMatch(/^https?:/);
      expect((await app.inject(`/docs/${src}`)).statusCode).toBe(200);
    }
  });
});
