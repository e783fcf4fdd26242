// Beneficiary fixtures: unique, valid v2 and v1 bodies, valid IBANs, and creating one through the API.
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import { randomInt } from 'node:crypto';
import { bearer } from './app.js';

/** A random account number of 13 digits, ending in 7: never one of the sandbox's magic endings. */
export function accountNumber(): string {
  return `${randomInt(10 ** 9, 10 ** 10)}${randomInt(10, 99)}7`;
}

/** A valid IBAN (ISO 13616 mod-97 check digits) for a country and a BBAN. */
export function iban(country: string, bban: string): string {
  const numeric = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return `${country}${String(98 - remainder).padStart(2, '0')}${bban}`;
}

export const address = (country = 'USA') => ({
  address_line1: '123 Business Park', city: 'New York', state: 'NY', country_code: country, postal_code: '10001',
});

/** A payout beneficiary in USD by SWIFT, with a fresh account number. */
export function v2Body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    category: 'payout',
    beneficiary: { name: 'ACME Corporation', type: 'business', address: address() },
    bank_account: { account_number: accountNumber(), swift_code: 'CITIUS33', currency: 'USD' },
    ...overrides,
  };
}

/** A complete LRS beneficiary (every field the lrs rules require). */
export function lrsBody(): Record<string, unknown> {
  return {
    category: 'lrs',
    beneficiary: { name: 'Stanford University', type: 'business', email: 'fees@example.edu', phone: '+1-555-123-4567', address: address() },
    bank_account: {
      account_number: accountNumber(), name: 'Citibank NA', swift_code: 'CITIUS33', local_routing_number: '021000089', currency: 'USD',
      address: { address_line1: '388 Greenwich Street', city: 'New York', state: 'NY', country_code: 'usa', postal_code: '10013' },
      intermediate_bank: { name: 'JPMorgan Chase Bank', country: 'USA', swift_code: 'CHASUS33', account_number: '123456789' },
    },
    notes: { invoice_ref: 'INV-2026-001', project: 'Alpha' },
  };
}

export function v1Body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    holder_name: 'Test Arts & Crafts Pvt Ltd',
    account_number: accountNumber(),
    bank_name: 'Yes Bank',
    beneficiary_type: 'business',
    bic_primary: 'YESBINBB',
    bic_secondary: 'YESB0000002',
    email: 'beneficiary@example.com',
    address_line1: '123 Main St',
    city: 'Anytown',
    state: 'Anystate',
    country: 'Ind',
    pincode: '560048',
    nickname: 'Test Beneficiary',
    ...overrides,
  };
}

export async function createBeneficiaryV2(app: App, key: string, body = v2Body()): Promise<Record<string, unknown> & { id: string }> {
  const response = await app.inject({ method: 'POST', url: '/api/v2/beneficiaries', headers: bearer(key), payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

export async function createBeneficiaryV1(app: App, key: string, body = v1Body()): Promise<Record<string, unknown> & { id: string }> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/beneficiaries', headers: bearer(key), payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}
