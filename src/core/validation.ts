// Request validation for every route: two Ajv instances (bodies are strictly typed, query strings and path
// params are coerced from text) and the translation of Ajv errors into the contract's Rails-style messages.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { ApiError, errors, humanize } from './errors.js';
import { normalizeCountry, normalizeCurrency } from './iso.js';

/** The most keys a `notes` object may carry, on every resource that takes notes. */
export const MAX_NOTES = 50;

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    verbose: true,
    strict: false,
  });
  addFormats(ajv);
  // A strict ISO-8601 date-time with an explicit zone, as `before`/`after` and the contract's timestamps use.
  ajv.addFormat('timestamp', isTimestamp);
  ajv.addFormat('iso-3166-1-alpha-3', (value: string) => normalizeCountry(value) !== undefined);
  ajv.addFormat('iso-4217', (value: string) => normalizeCurrency(value) !== undefined);
  return ajv;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * The instants a timestamp may name: years 1 to 9999 in UTC. PostgreSQL has no year 0, and a Date past 9999 has no
 * ISO string the database reads (`+010000-…`), so either would fail the query rather than answer 400.
 */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * `2025-02-18T12:03:44Z` or with an offset: the shape, a real calendar date and time of day, an offset RFC 3339 can
 * write (at most ±23:59), and an instant within EARLIEST..LATEST.
 */
export function isTimestamp(value: string): boolean {
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const [offsetHours, offsetMinutes] = [Number(match[8] ?? 0), Number(match[9] ?? 0)];
  if (year < 1 || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return false;
  // setUTCFullYear, not Date.UTC, which reads the years 0 to 99 as 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  const instant = Date.parse(value);
  return Number.isFinite(instant) && instant >= EARLIEST && instant <= LATEST;
}

const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema as object) as ValidateFunction;
};

const TYPE_TEXT: Record<string, string> = {
  integer: 'must be an integer',
  number: 'must be a number',
  string: 'must be a string',
  boolean: 'must be true or false',
  object: 'must be an object',
  array: 'must be an array',
};

function fieldName(error: ErrorObject): string | undefined {
  if (error.keyword === 'required') return (error.params as { missingProperty: string }).missingProperty;
  const parts = error.instancePath.split('/').filter(Boolean);
  return parts.length > 0 ? parts.join('.') : undefined;
}

/** One Ajv error as the sentence a Rails API would answer (`Expire after in seconds must be an integer`). */
export function describeValidationError(error: ErrorObject): string {
  const field = fieldName(error);
  const subject = field ? humanize(field.replace(/\./g, ' ')) : 'Request body';
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${subject} can't be blank`;
    case 'type': {
      const expected = String((error.params as { type: string }).type).split(',')[0] ?? '';
      if (!field && expected === 'object') return 'Request body must be a JSON object';
      return `${subject} ${TYPE_TEXT[expected] ?? `must be of type ${expected}`}`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      if (typeof parent.minimum === 'number' && typeof parent.maximum === 'number') {
        return `${subject} must be between ${parent.minimum} and ${parent.maximum}`;
      }
      return `${subject} must be ${error.keyword.includes('inimum') ? 'greater' : 'less'} than or equal to ${(error.params as { limit: number }).limit}`;
    case 'minLength':
      return (error.params as { limit: number }).limit <= 1
        ? `${subject} can't be blank`
        : `${subject} is too short (minimum is ${(error.params as { limit: number }).limit} characters)`;
    case 'maxLength':
      return `${subject} is too long (maximum is ${(error.params as { limit: number }).limit} characters)`;
    case 'enum':
      return `${subject} must be one of: ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
    case 'const':
      return `${subject} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
    case 'format':
      if ((error.params as { format: string }).format === 'iso-3166-1-alpha-3') return `${subject} must be a valid 3-letter ISO code (e.g., IND, USA)`;
      if ((error.params as { format: string }).format === 'iso-4217') return `${subject} must be a valid ISO 4217 currency code (e.g., USD)`;
      return (error.params as { format: string }).format === 'timestamp' ||
        (error.params as { format: string }).format === 'date-time'
        ? `${subject} must be an ISO-8601 timestamp (e.g. 2025-02-18T12:03:44Z)`
        : `${subject} is invalid`;
    case 'additionalProperties':
      return `Unknown field '${(error.params as { additionalProperty: string }).additionalProperty}'`;
    default:
      return `${subject} is invalid`;
  }
}

export function validationErrorToApiError(validation: ErrorObject[]): ApiError {
  const first = validation[0];
  return errors.validation(first ? describeValidationError(first) : 'Request is invalid');
}
