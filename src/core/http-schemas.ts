// Route-schema pieces every resource shares: the error body, the standard error responses and path ids.
import { Type } from 'typebox';

export const ErrorBody = Type.Object({
  error: Type.String({ description: 'The HTTP reason phrase, e.g. "Bad Request".' }),
  message: Type.String({ description: 'What went wrong, for people.' }),
  code: Type.Optional(Type.String({ description: 'A stable machine code, e.g. VALIDATION_FAILED.' })),
});

/** Error responses of an authenticated route, for the OpenAPI document and response serialization. */
export const standardErrors = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  /** Over RATE_LIMIT_PER_MINUTE from one client IP (core/rate-limit), as Glomo's gateway. */
  429: ErrorBody,
} as const;

export const secretKeySecurity = [{ JWT: [] as string[] }];

export const IdParams = (example: string) =>
  Type.Object({ id: Type.String({ description: 'The object id.', examples: [example] }) });

/** Optional response fields are omitted rather than sent as null, as the contract's schemas type them. */
export function withoutNulls<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== null && field !== undefined) out[key] = field;
  return out as { [K in keyof T]: Exclude<T[K], null> };
}
