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

describe('API_AUDIENCE, MCP_AUDIENCE and MCP_CREDENTIAL_MAX_SECONDS', () => {
  it("default to what glomo-mcp-server expects: glomo-external-api, glomo-mcp and 30 days", () => {
    const config = loadConfig({});
    expect(config.apiAudience).toBe('glomo-external-api');
    expect(config.mcpAudience).toBe('glomo-mcp');
    expect(config.mcpCredentialMaxSeconds).toBe(2_592_000);
  });

  it('take an audience trimmed, and a maximum between 60 s and 366 days', () => {
    const config = loadConfig({ API_AUDIENCE: ' https://api.example.com ', MCP_AUDIENCE: 'urn:example:mcp', MCP_CREDENTIAL_MAX_SECONDS: '3600' });
    expect(config).toMatchObject({ apiAudience: 'https://api.example.com', mcpAudience: 'urn:example:mcp', mcpCredentialMaxSeconds: 3600 });
  });

  it('refuse an audience with spaces or other than printable ASCII, in one line naming the setting', () => {
    for (const bad of ['glomo mcp', 'glomo-mcp\u00e9', 'x'.repeat(201)]) {
      expect(() => loadConfig({ MCP_AUDIENCE: bad }), bad).toThrow(/^MCP_AUDIENCE must be 1 to 200 printable ASCII characters without spaces, got "[^\n]*"$/);
      expect(() => loadConfig({ API_AUDIENCE: bad }), bad).toThrow(/^API_AUDIENCE must be 1 to 200 printable ASCII characters without spaces, got /);
    }
  });

  it('refuse the same audience for both: the MCP server tells a secret key from a credential by it', () => {
    expect(() => loadConfig({ MCP_AUDIENCE: 'glomo-external-api' })).toThrow(ConfigError);
    expect(() => loadConfig({ API_AUDIENCE: 'glomo-mcp' })).toThrow(/^MCP_AUDIENCE must differ from API_AUDIENCE, both are "glomo-mcp"$/);
  });

  it('refuse a maximum out of bounds or not an integer', () => {
    expect(() => loadConfig({ MCP_CREDENTIAL_MAX_SECONDS: '59' })).toThrow(/^MCP_CREDENTIAL_MAX_SECONDS must be between 60 and 31622400, got 59$/);
    expect(() => loadConfig({ MCP_CREDENTIAL_MAX_SECONDS: '31622401' })).toThrow(ConfigError);
    expect(() => loadConfig({ MCP_CREDENTIAL_MAX_SECONDS: '30d' })).toThrow(/^MCP_CREDENTIAL_MAX_SECONDS must be an integer, got '30d'$/);
  });
});

describe('SMTP_URL and MAIL_FROM', () => {
  it('default to no SMTP (mails are logged) and the sandbox sender', () => {
    expect(loadConfig({}).smtpUrl).toBeUndefined();
    expect(loadConfig({ SMTP_URL: ' ' }).smtpUrl).toBeUndefined();
    expect(loadConfig({}).mailFrom).toBe('Glomo sandbox <no-reply@glomo.localhost>');
  });

  it('take smtp:// and smtps:// URLs, with credentials and options', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://mail.example.com:587' }).smtpUrl).toBe('smtp://mail.example.com:587');
    expect(loadConfig({ SMTP_URL: 'smtps://user:p%40ss@mail.example.com' }).smtpUrl).toBe('smtps://user:p%40ss@mail.example.com');
    expect(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525?ignoreTLS=true' }).smtpUrl).toBe('smtp://127.0.0.1:2525?ignoreTLS=true');
  });

  it('refuse an SMTP_URL that is not smtp(s) with a host, in one line naming the setting, never repeating a password', () => {
    for (const bad of ['mail.example.com', 'http://user:secret@mail.example.com', 'smtp://', 'user:secret@mail.example.com:587', 'mailto:a@b.c']) {
      expect(() => loadConfig({ SMTP_URL: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ SMTP_URL: bad }), bad).toThrow(/^SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL [^\n]*$/);
      expect(() => loadConfig({ SMTP_URL: bad }), bad).not.toThrow(/secret/);
    }
  });

  it('take MAIL_FROM as an address or a name and an address', () => {
    expect(loadConfig({ MAIL_FROM: 'billing@shop.example' }).mailFrom).toBe('billing@shop.example');
    expect(loadConfig({ MAIL_FROM: ' "Shop, Inc." <billing@shop.example> ' }).mailFrom).toBe('"Shop, Inc." <billing@shop.example>');
  });

  it('refuse a MAIL_FROM that is no address, in one line naming the setting', () => {
    for (const bad of ['billing', 'Shop <billing>', 'a@b c@d', 'Shop <a@b', '<a@b> trailing', 'two@at@signs']) {
      expect(() => loadConfig({ MAIL_FROM: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ MAIL_FROM: bad }), bad).toThrow(/^MAIL_FROM must be an e-mail address, or a name and an address [^\n]*$/);
    }
  });
});

describe('WEB_CONCURRENCY', () => {
  const pg = 'postgres://u:p@db:5432/glomo';

  it('defaults to one process, with or without DATABASE_URL', () => {
    expect(loadConfig({}).webConcurrency).toBe(1);
    expect(loadConfig({ WEB_CONCURRENCY: '' }).webConcurrency).toBe(1);
    expect(loadConfig({ WEB_CONCURRENCY: '1' }).webConcurrency).toBe(1);
    expect(loadConfig({ DATABASE_URL: pg }).webConcurrency).toBe(1);
  });

  it('takes 2 to 64 processes on PostgreSQL', () => {
    expect(loadConfig({ DATABASE_URL: pg, WEB_CONCURRENCY: '2' }).webConcurrency).toBe(2);
    expect(loadConfig({ DATABASE_URL: pg, WEB_CONCURRENCY: '64' }).webConcurrency).toBe(64);
  });

  it('refuses more than one process on the embedded database, in one line naming the setting', () => {
    expect(() => loadConfig({ WEB_CONCURRENCY: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEB_CONCURRENCY: '2' })).toThrow(
      /^WEB_CONCURRENCY 2 needs DATABASE_URL: the embedded database \(PGlite\) is one process only$/,
    );
    expect(() => loadConfig({ WEB_CONCURRENCY: '2', DATABASE_URL: ' ' })).toThrow(/^WEB_CONCURRENCY 2 needs DATABASE_URL/);
  });

  it('refuses what is not an integer from 1 to 64', () => {
    expect(() => loadConfig({ DATABASE_URL: pg, WEB_CONCURRENCY: '0' })).toThrow(/^WEB_CONCURRENCY must be between 1 and 64, got 0$/);
    expect(() => loadConfig({ DATABASE_URL: pg, WEB_CONCURRENCY: '65' })).toThrow(/^WEB_CONCURRENCY must be between 1 and 64, got 65$/);
    for (const bad of ['abc', '-2', '1.5', 'auto']) {
      expect(() => loadConfig({ DATABASE_URL: pg, WEB_CONCURRENCY: bad }), bad).toThrow(new RegExp(`^WEB_CONCURRENCY must be an integer, got '${bad.replace('.', '\\.')}'$`));
    }
  });
});
