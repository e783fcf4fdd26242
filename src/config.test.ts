import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('PUBLIC_URL', () => {
  it('defaults to the listening address, localhost for a wildcard host', () => {
    expect(loadConfig({}).publicUrl).toBe('http://127.0.0.1:4000');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ HOST: '::1' }).publicUrl).toBe('http://[::1]:4000');
  });

  it('keeps an origin with a path, without its trailing slashes', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://pay.example.com/' }).publicUrl).toBe('https://pay.example.com');
    expect(loadConfig({ PUBLIC_URL: 'https://example.com/glomo//' }).publicUrl).toBe('https://example.com/glomo');
  });

  it('refuses what is not an absolute http(s) URL, naming the setting', () => {
    for (const bad of ['pay.example.com', 'ftp://example.com', 'https://example.com/?a=1', 'https://u:p@example.com']) {
      expect(() => loadConfig({ PUBLIC_URL: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ PUBLIC_URL: bad })).toThrow(/^PUBLIC_URL /);
    }
  });
});

describe('INTERNAL_TRANSFER_CURRENCIES', () => {
  it("defaults to the contract's AED", () => {
    expect(loadConfig({}).internalTransferCurrencies).toEqual(['AED']);
    expect(loadConfig({ INTERNAL_TRANSFER_CURRENCIES: ' ' }).internalTransferCurrencies).toEqual(['AED']);
  });

  it('takes ISO 4217 codes separated by commas, any case and spacing, upper-cased and each once', () => {
    expect(loadConfig({ INTERNAL_TRANSFER_CURRENCIES: 'aed, USD,eur ,usd' }).internalTransferCurrencies).toEqual(['AED', 'USD', 'EUR']);
  });

  it('refuses what is not a list of ISO 4217 codes, in one line naming the setting', () => {
    for (const bad of ['AED,XYZ', 'AED,,USD', 'AED;USD', 'dirhams', 'AED,']) {
      expect(() => loadConfig({ INTERNAL_TRANSFER_CURRENCIES: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ INTERNAL_TRANSFER_CURRENCIES: bad }), bad).toThrow(/^INTERNAL_TRANSFER_CURRENCIES must be ISO 4217 currency codes separated by commas \(e\.g\. AED,USD\), got "[^"\n]*"$/);
    }
  });
});

describe('settings checked before anything starts (one line naming the setting)', () => {
  it('DATABASE_URL: a postgres:// or postgresql:// URL, its password never repeated', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/glomo' }).databaseUrl).toBe('postgres://u:p@db:5432/glomo');
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/glomo' }).databaseUrl).toBe('postgresql://db/glomo');
    expect(loadConfig({ DATABASE_URL: ' ' }).databaseUrl).toBeUndefined();
    for (const bad of ['notaurl', 'mysql://u:secret@db/x', 'u:secret@db:5432/x', 'http://db/x']) {
      expect(() => loadConfig({ DATABASE_URL: bad }), bad).toThrow(/^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL [^\n]*$/);
      expect(() => loadConfig({ DATABASE_URL: bad }), bad).not.toThrow(/secret/);
    }
  });

  it('JWT_PRIVATE_KEY: an RSA key in PKCS#8 PEM, also with \\n escapes', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const pkcs8 = rsa.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(loadConfig({ JWT_PRIVATE_KEY: pkcs8 }).jwtPrivateKeyPem).toBe(pkcs8.trim());
    expect(loadConfig({ JWT_PRIVATE_KEY: pkcs8.trim().replace(/\n/g, '\\n') }).jwtPrivateKeyPem).toBe(pkcs8.trim());
    const pkcs1 = rsa.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(() => loadConfig({ JWT_PRIVATE_KEY: pkcs1 })).toThrow(/^JWT_PRIVATE_KEY must be an RSA private key in PKCS#8 PEM form .*, got -----BEGIN RSA PRIVATE KEY-----$/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadConfig({ JWT_PRIVATE_KEY: ec })).toThrow(/^JWT_PRIVATE_KEY must be .*, got a ec key$/);
    expect(() => loadConfig({ JWT_PRIVATE_KEY: 'abc' })).toThrow(/^JWT_PRIVATE_KEY must be .*, got something else$/);
    expect(() => loadConfig({ JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' })).toThrow(/^JWT_PRIVATE_KEY must be .*: it does not parse$/);
  });

  it("LOG_LEVEL: one of pino's levels, any case", () => {
    expect(loadConfig({}).logLevel).toBe('info');
    expect(loadConfig({ LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
    expect(loadConfig({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"$/);
  });

  it('sizes and counts: a negative or fractional value names the setting', () => {
    expect(() => loadConfig({ BODY_LIMIT_BYTES: '-5' })).toThrow(/^BODY_LIMIT_BYTES must be an integer, got '-5'$/);
    expect(() => loadConfig({ DOCUMENT_MAX_BYTES: '1.5' })).toThrow(/^DOCUMENT_MAX_BYTES must be an integer/);
    expect(() => loadConfig({ BODY_LIMIT_BYTES: '10' })).toThrow(/^BODY_LIMIT_BYTES must be between 1024 and /);
  });
});
