import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApiError, duplicateRequest, ERRORS, errors, type ErrorName, type ErrorSpec } from './errors.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));

/** An entry's message with placeholder arguments (a string, or a one-element list for a list parameter). */
function sampleMessage(spec: ErrorSpec): string {
  if (typeof spec.message === 'string') return spec.message;
  const template = spec.message as (...args: unknown[]) => string;
  try {
    return template(...Array.from({ length: template.length }, () => 'x'));
  } catch {
    return template(...Array.from({ length: template.length }, () => ['x']));
  }
}

const entries = Object.entries(ERRORS) as [ErrorName, ErrorSpec][];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the error registry', () => {
  it.each(entries)('%s has a 4xx or 5xx status, a stable code and a non-empty message', (_name, spec) => {
    expect(spec.status).toBeGreaterThanOrEqual(400);
    expect(spec.status).toBeLessThan(600);
    expect(spec.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(sampleMessage(spec).trim()).not.toBe('');
  });

  it('has no two entries for the same answer (status, code and message)', () => {
    const answers = entries.map(([, spec]) => `${spec.status} ${spec.code} ${sampleMessage(spec)}`);
    expect(new Set(answers).size).toBe(answers.length);
  });

  it('gives each code one status, but for the per-resource variants the contract asks for', () => {
    const statuses = new Map<string, Set<number>>();
    for (const [, spec] of entries) statuses.set(spec.code, (statuses.get(spec.code) ?? new Set()).add(spec.status));
    const varying = Object.fromEntries([...statuses].filter(([, set]) => set.size > 1).map(([code, set]) => [code, [...set].sort()]));
    expect(varying).toEqual({
      DUPLICATE_REQUEST_ID: [400, 409],
      VALIDATION_FAILED: [400, 422],
      INVALID_STATE: [400, 422],
    });
  });

  it('answers a repeated request_id 400 for orders, payments and refunds and 409 for payouts', () => {
    expect(duplicateRequest('order').statusCode).toBe(400);
    expect(duplicateRequest('payment').statusCode).toBe(400);
    expect(duplicateRequest('refund').statusCode).toBe(400);
    expect(duplicateRequest('payout').statusCode).toBe(409);
    expect(duplicateRequest('payout').toBody()).toEqual({
      error: 'Conflict',
      message: 'Record already exists',
      code: 'DUPLICATE_REQUEST_ID',
    });
    for (const resource of ['order', 'payment', 'refund', 'payout'] as const) {
      expect(duplicateRequest(resource).code).toBe('DUPLICATE_REQUEST_ID');
    }
  });

  it('sends the reason phrase as `error` unless the contract words that answer otherwise', () => {
    expect(errors.virtualAccountExists().toBody()).toEqual({ error: 'Duplicate record', message: 'Virtual Account already exists', code: 'DUPLICATE_RECORD' });
    expect(errors.virtualAccountExists().statusCode).toBe(409);
    expect(errors.virtualAccountMissingParameters().toBody().error).toBe('Bad Request');
  });

  it('words a refused quote per consumer: `Quote …` for orders, `quote_id …` for payouts and conversions', () => {
    expect(errors.quoteExpired('Quote').toBody()).toEqual({ error: 'Bad Request', message: 'Quote has expired', code: 'QUOTE_EXPIRED' });
    expect(errors.quoteExpired('quote_id').message).toBe('quote_id has expired');
  });

  it('builds the body in the contract shape from the entry', () => {
    const error = errors.insufficientBalance(250n);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.toBody()).toEqual({
      error: 'Bad Request',
      message: 'Account has insufficient balance to process this transaction. Additional amount required: 250.',
      code: 'INSUFFICIENT_BALANCE',
    });
    expect(ApiError.of('fileTooLarge', 10).toBody()).toEqual({ error: 'Payload Too Large', message: 'File is larger than 10 bytes', code: 'FILE_TOO_LARGE' });
  });

  it("keeps a framework's client error and turns anything else into the 500", () => {
    expect(ApiError.fromFramework({ statusCode: 406, message: 'Not acceptable', code: 'FST_X' }).toBody())
      .toEqual({ error: 'Not Acceptable', message: 'Not acceptable', code: 'FST_X' });
    expect(ApiError.fromFramework({ statusCode: 502, message: 'upstream detail' }).toBody())
      .toEqual({ error: 'Internal Server Error', message: 'Internal server error', code: 'INTERNAL_ERROR' });
  });

  it('is the only place in src/ that constructs an ApiError', () => {
    const offenders = sourceFiles(SRC)
      .filter((path) => relative(SRC, path) !== join('core', 'errors.ts'))
      .filter((path) => readFileSync(path, 'utf8').includes('new ApiError('))
      .map((path) => relative(SRC, path));
    expect(offenders).toEqual([]);
  });
});
