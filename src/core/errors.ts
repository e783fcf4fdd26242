// The one error registry: every error the API answers has a status, a stable machine code and a message,
// and goes out in the contract's flat shape `{"error": "<reason phrase>", "message": "...", "code": "..."}`.
import { STATUS_CODES } from 'node:http';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code: string,
    /** Overrides the HTTP reason phrase in the `error` field (a few contract answers use their own). */
    readonly errorText?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: this.errorText ?? reasonPhrase(this.statusCode), message: this.message, code: this.code };
  }
}

export interface ErrorBody {
  error: string;
  message: string;
  code?: string;
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** Rails' `humanize`: `expire_after_in_seconds` -> `Expire after in seconds`. */
export function humanize(field: string): string {
  const words = field.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const errors = {
  /** 400 `Validation failed: <detail>`, the contract's text for invalid input. */
  validation: (detail: string) => new ApiError(400, `Validation failed: ${detail}`, 'VALIDATION_FAILED'),
  blank: (field: string) => errors.validation(`${humanize(field)} can't be blank`),
  invalidParameter: (message: string) => new ApiError(400, message, 'INVALID_PARAMETER'),
  invalidIdPrefix: (prefix: string) => new ApiError(400, `Id must start with '${prefix}_'`, 'INVALID_ID'),
  duplicateRequest: (entity: string) =>
    new ApiError(400, `${entity} already exists for this request_id`, 'DUPLICATE_REQUEST_ID'),
  /** A debit the balance cannot cover; `shortfall` is what the account would additionally need, in minor units. */
  insufficientBalance: (shortfall: bigint) =>
    new ApiError(
      400,
      `Account has insufficient balance to process this transaction. Additional amount required: ${shortfall}.`,
      'INSUFFICIENT_BALANCE',
    ),
  malformedJson: () => new ApiError(400, 'Malformed JSON in request body', 'MALFORMED_JSON'),
  missingToken: () => new ApiError(401, 'Missing token', 'UNAUTHORIZED'),
  invalidToken: () => new ApiError(401, 'Auth token expired or invalid', 'UNAUTHORIZED'),
  /** Another tenant's object answers exactly like a missing one, so existence never leaks. */
  notFound: (entity: string) => new ApiError(404, `${entity} not found`, 'NOT_FOUND'),
  routeNotFound: (method: string, url: string) =>
    new ApiError(404, `Route ${method} ${url.split('?')[0]} not found`, 'ROUTE_NOT_FOUND'),
  methodNotAllowed: () => new ApiError(405, 'Method not allowed', 'METHOD_NOT_ALLOWED'),
  payloadTooLarge: (limitBytes: number) =>
    new ApiError(413, `Request body is larger than ${limitBytes} bytes`, 'PAYLOAD_TOO_LARGE'),
  unsupportedMediaType: (contentType: string | undefined) =>
    new ApiError(415, `Unsupported Content-Type: ${contentType ?? '(none)'}`, 'UNSUPPORTED_MEDIA_TYPE'),
  internal: () => new ApiError(500, 'Internal server error', 'INTERNAL_ERROR'),
  unavailable: (message: string) => new ApiError(503, message, 'SERVICE_UNAVAILABLE'),
};
