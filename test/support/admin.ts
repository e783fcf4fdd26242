// The security cases of every operator route, in one place: no token, a wrong or truncated token, a token without
// "Bearer", a merchant's secret key (401), and the whole API absent without ADMIN_TOKEN (404).
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import { ADMIN_TOKEN, bearer, buildTestApp } from './app.js';

export interface AdminRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  payload?: Record<string, unknown>;
}

export async function expectAdminAuthRefused(app: App, routes: readonly AdminRoute[], merchantSecret: string): Promise<void> {
  const cases: Array<[Record<string, string>, string]> = [
    [{}, 'Missing token'],
    [{ authorization: 'Bearer ' }, 'Missing token'],
    [bearer(`${ADMIN_TOKEN}x`), 'Auth token expired or invalid'],
    [bearer(ADMIN_TOKEN.slice(0, -1)), 'Auth token expired or invalid'],
    [{ authorization: ADMIN_TOKEN }, 'Auth token expired or invalid'],
    [bearer(merchantSecret), 'Auth token expired or invalid'],
  ];
  for (const [headers, message] of cases) {
    for (const route of routes) {
      const response = await app.inject({ ...route, headers });
      expect(response.statusCode, `${route.method} ${route.url} ${headers.authorization}`).toBe(401);
      expect(response.json()).toEqual({ error: 'Unauthorized', message, code: 'UNAUTHORIZED' });
    }
  }
}

export async function expectAdminAbsentWithoutToken(routes: readonly AdminRoute[]): Promise<void> {
  const { app } = await buildTestApp({ env: { ADMIN_TOKEN: '' } });
  for (const route of routes) {
    const response = await app.inject({ ...route, headers: bearer(ADMIN_TOKEN) });
    expect(response.statusCode, route.url).toBe(404);
    expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  }
}
