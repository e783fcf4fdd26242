import { describe, expect, it } from 'vitest';
import { isInternalAddress, resolveTarget, urlProblem } from './url-guard.js';

describe('isInternalAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', 'not-an-ip'])(
    'refuses %s', (address) => expect(isInternalAddress(address)).toBe(true));
  it.each(['1.1.1.1', '8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:1.1.1.1'])(
    'accepts %s', (address) => expect(isInternalAddress(address)).toBe(false));
});

describe('resolveTarget', () => {
  const production = { env: 'production' as const, allowPrivateTargets: false };
  it('refuses a name that resolves to any internal address in production, and connects to the checked address otherwise', async () => {
    const mixed = async () => [{ address: '1.1.1.1', family: 4 }, { address: '10.0.0.5', family: 4 }];
    expect(await resolveTarget('https://hooks.example.com/x', production, mixed)).toMatchObject({ ok: false });
    const publicOnly = async () => [{ address: '1.1.1.1', family: 4 }];
    expect(await resolveTarget('https://hooks.example.com/x', production, publicOnly)).toEqual({ ok: true, address: '1.1.1.1', family: 4 });
    expect(await resolveTarget('http://127.0.0.1:9/x', { env: 'sandbox', allowPrivateTargets: false })).toEqual({ ok: true, address: '127.0.0.1', family: 4 });
    expect(await resolveTarget('https://127.0.0.1/x', { env: 'production', allowPrivateTargets: true })).toMatchObject({ ok: true });
  });

  it('refuses bad URLs', () => {
    expect(urlProblem('ftp://example.com', production)).toBe('Url must use http or https');
    expect(urlProblem('https://user:pw@example.com', production)).toBe('Url must not contain credentials');
    expect(urlProblem('http://example.com', production)).toBe('Url must use https for production endpoints');
    expect(urlProblem('not a url', production)).toBe('Url is not a valid URL');
  });
});
