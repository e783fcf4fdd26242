// Route-schema pieces every operator API route shares: its security scheme and its error responses.
import { ErrorBody } from '../core/http-schemas.js';

/** The operator API answers to the admin token (ADMIN_TOKEN), never to a merchant's key. */
export const adminSecurity = [{ AdminToken: [] as string[] }];

export const adminErrors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };
