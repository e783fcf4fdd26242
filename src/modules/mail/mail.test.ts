// Customer mails (issue 17, decision 0041): payment links and their reminders, subscription notices with
// notify_customer, sent through a real SMTP server started here (smtp-server on 127.0.0.1, port 0) or, without
// SMTP_URL, kept in the environment's mail log; GET /api/v1/mails and /mails/{id}. Jobs run through the sandbox clock's
// advance (it runs only its own environment's jobs), so each test has a merchant of its own.
import net, { type AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock, systemClock, type Clock } from '../../core/clock.js';
import { unitOf } from '../../core/context.js';
import { tenantContext } from '../../core/tenant-clock.js';
import { jobs, mails } from '../../db/schema/index.js';
import { bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../../test/support/app.js';
import { expectServedResponse } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';
import type { InstalmentCard } from '../subscriptions/service.js';
import { MailList, Mail as MailSchema } from './schemas.js';
import { MAIL_MAX_ATTEMPTS, MAIL_SEND_QUEUE } from './service.js';

const START = '2026-12-02T10:00:00Z';
const DAY_MS = 24 * 60 * 60 * 1000;
const VISA_OK: InstalmentCard = { network: 'Visa', last4: '1111', expMonth: 12, expYear: 2030, outcome: 'success' };

type Json = Record<string, unknown>;
interface Mail {
  id: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  kind: string;
  related_id: string;
  status: string;
  error: string | null;
  created_at: string;
  sent_at: string | null;
}

/** A mail as the SMTP server received it: the envelope and the message's headers and decoded body. */
interface Received {
  mailFrom: string;
  rcptTo: string[];
  headers: Record<string, string>;
  body: string;
}

/** The headers (unfolded, lower-cased names) and the body of a raw message, its transfer encoding undone. */
function parseMessage(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.slice(split + 4);
  const encoding = headers['content-transfer-encoding']?.toLowerCase();
  if (encoding === 'quoted-printable') {
    body = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  } else if (encoding === 'base64') {
    body = Buffer.from(body, 'base64').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

/** A local SMTP server that wants `user`/`password` (over plain text: it is loopback) and refuses the recipients in `refuse`. */
async function startSmtpServer(user: string, password: string) {
  const received: Received[] = [];
  const refuse = new Set<string>();
  let refusals = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user });
      return callback(new Error('Invalid username or password'));
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (!refuse.has(address.address)) return callback();
      refusals += 1;
      return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        received.push({
          mailFrom: from === false ? '' : from.address,
          rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          ...parseMessage(Buffer.concat(chunks).toString('utf8')),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port, received, refuse,
    refusals: () => refusals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A merchant of the test's own, its API and a customer with a known address. */
async function fixture(app: App, clock: ManualClock, production = false) {
  const merchant = await createTestMerchant(clock);
  const key = production ? merchant.productionSecret : merchant.sandboxSecret;
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json) =>
    app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
  const email = `buyer.${merchant.id.slice(-6).toLowerCase()}@example.com`;
  const customer = await api('POST', '/api/v1/customer', customerBody({ email, name: 'Asha Rao' }));
  expect(customer.statusCode, customer.body).toBe(201);
  const customerId = customer.json().id as string;
  return {
    merchant, key, api, email, customerId,
    async createLink(overrides: Json = {}): Promise<Json & { id: string; payment_link: string }> {
      const response = await api('POST', '/api/v1/payin', {
        customer_id: customerId, currency: 'USD', amount: 123_450, purpose_code: 'P1401', payment_methods: ['card'],
        expires_at: new Date(clock.now().getTime() + 5 * DAY_MS).toISOString(), invoice_number: 'INV-7', ...overrides,
      });
      expect(response.statusCode, response.body).toBe(201);
      return response.json();
    },
    async advance(payload: Json) {
      const response = await api('POST', '/api/v1/sandbox/clock/advance', payload);
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as { now: string; ran: Record<string, number> };
    },
    async mails(query = ''): Promise<Mail[]> {
      const response = await api('GET', `/api/v1/mails${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json().data;
    },
    async mail(id: string): Promise<Mail> {
      const response = await api('GET', `/api/v1/mails/${id}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(Value.Check(MailSchema, response.json())).toBe(true);
      return response.json();
    },
  };
}

describe('through SMTP (SMTP_URL to a server started by the test)', () => {
  const clock = new ManualClock(START);
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let app: App;

  beforeAll(async () => {
    smtp = await startSmtpServer('glomo', 's3cret');
    ({ app } = await buildTestApp({
      clock, env: { SMTP_URL: `smtp://glomo:s3cret@127.0.0.1:${smtp.port}`, MAIL_FROM: 'Shop billing <billing@shop.example>' },
    }));
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  it("sends a payment link on creation and its reminder when the sandbox clock makes it due; both read sent", async () => {
    const f = await fixture(app, clock);
    const link = await f.createLink({ reminder_frequency: 1 });
    // Queued with the link, sent by its job: nothing went out before the job ran.
    const [queued] = await f.mails(`?related_id=${link.id}`);
    expect(queued).toMatchObject({ kind: 'payment_link.created', status: 'queued', sent_at: null, to: f.email });
    expect(smtp.received.filter((mail) => mail.rcptTo.includes(f.email))).toEqual([]);

    await f.advance({ seconds: 1 });
    await f.advance({ to: new Date(Date.parse(link.created_at as string) + 1.1 * DAY_MS).toISOString() });

    const delivered = smtp.received.filter((mail) => mail.rcptTo.includes(f.email));
    expect(delivered).toHaveLength(2);
    const [created, reminder] = delivered;
    expect(created!.mailFrom).toBe('billing@shop.example');
    expect(created!.headers.from).toBe('Shop billing <billing@shop.example>');
    expect(created!.headers.to).toBe(f.email);
    expect(created!.headers.subject).toMatch(/^Test merchant \w+ asks you to pay USD 1,234\.50$/);
    expect(created!.body).toContain(link.payment_link);
    expect(created!.body).toContain('USD 1,234.50 for invoice INV-7');
    expect(created!.body).toContain('Hello Asha Rao,');
    expect(reminder!.headers.subject).toMatch(/^Reminder: Test merchant \w+ is waiting for your payment of USD 1,234\.50$/);
    expect(reminder!.body).toContain(link.payment_link);

    const log = await f.mails(`?related_id=${link.id}`);
    expect(log.map((mail) => [mail.kind, mail.status, mail.error])).toEqual([
      ['payment_link.reminder', 'sent', null],
      ['payment_link.created', 'sent', null],
    ]);
    const sent = await f.mail(log[0]!.id);
    expect(sent).toMatchObject({ to: f.email, from: 'Shop billing <billing@shop.example>', subject: reminder!.headers.subject, related_id: link.id });
    expect(sent.text).toBe(reminder!.body);
    // sent_at is the environment's clock: the reminder went out a day after the link.
    expect(Date.parse(sent.sent_at!) - Date.parse(link.created_at as string)).toBeGreaterThanOrEqual(DAY_MS);
    expect(Date.parse(sent.sent_at!) - Date.parse(link.created_at as string)).toBeLessThan(1.1 * DAY_MS);
  });

  it('retries a mail the server refuses and ends it failed with the refusal after the last attempt; no 5xx anywhere', async () => {
    const f = await fixture(app, clock);
    smtp.refuse.add(f.email);
    const link = await f.createLink();
    const before = smtp.refusals();
    const first = await f.advance({ seconds: 1 });
    expect(first.ran[MAIL_SEND_QUEUE]).toBe(1);
    const [retrying] = await f.mails(`?related_id=${link.id}`);
    expect(retrying).toMatchObject({ status: 'queued', sent_at: null, error: expect.stringContaining('Mailbox unavailable') });
    // The retries (1 min, 5 min, 30 min, 2 h) come within three hours.
    const rest = await f.advance({ seconds: 3 * 60 * 60 });
    expect(rest.ran[MAIL_SEND_QUEUE]).toBe(MAIL_MAX_ATTEMPTS - 1);
    expect(smtp.refusals() - before).toBe(MAIL_MAX_ATTEMPTS);
    const [failed] = await f.mails(`?related_id=${link.id}&status=failed`);
    expect(failed).toMatchObject({ status: 'failed', sent_at: null, error: expect.stringMatching(/550.*Mailbox unavailable|Mailbox unavailable/) });
    const { database } = await testEnv();
    const [job] = await database.db.select().from(jobs).where(eq(jobs.uniqueKey, `mail:${failed!.id}`));
    expect(job).toMatchObject({ status: 'dead', attempts: MAIL_MAX_ATTEMPTS });
    // Nothing more happens to it, and the link is untouched.
    expect((await f.advance({ seconds: DAY_MS / 1000 })).ran[MAIL_SEND_QUEUE]).toBeUndefined();
    expect((await f.api('GET', `/api/v1/payin/${link.id}`)).json()).toMatchObject({ status: 'active' });
    expect(smtp.received.filter((mail) => mail.rcptTo.includes(f.email))).toEqual([]);
  });
});

describe('through SMTP to a closed port', () => {
  const clock = new ManualClock(START);
  let app: App;

  beforeAll(async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    ({ app } = await buildTestApp({ clock, env: { SMTP_URL: `smtp://127.0.0.1:${port}` } }));
  });
  afterAll(async () => {
    await app.close();
  });

  it('ends failed with the connection error after the retries; the creation and the advances answer 2xx', async () => {
    const f = await fixture(app, clock);
    const link = await f.createLink();
    await f.advance({ seconds: 3 * 60 * 60 });
    const [failed] = await f.mails(`?related_id=${link.id}`);
    expect(failed).toMatchObject({ status: 'failed', sent_at: null, error: expect.stringMatching(/ECONNREFUSED/) });
  });
});

describe('without SMTP_URL: the mail log', () => {
  const clock = new ManualClock(START);
  let app: App;
  let served: unknown;

  beforeAll(async () => {
    ({ app } = await buildTestApp({ clock }));
    served = (await app.inject('/openapi.json')).json();
  });
  afterAll(async () => {
    await app.close();
  });

  it('logs a payment link mail with its text once its job ran (sent_at: the time logged), and no SMTP is tried', async () => {
    const f = await fixture(app, clock);
    const link = await f.createLink();
    const [queued] = await f.mails();
    expect(queued).toMatchObject({ status: 'queued', sent_at: null, from: 'Glomo sandbox <no-reply@glomo.localhost>' });
    const advanced = await f.advance({ seconds: 60 });
    expect(advanced.ran[MAIL_SEND_QUEUE]).toBe(1);
    const logged = await f.mail(queued!.id);
    expect(logged).toMatchObject({
      id: expect.stringMatching(/^mail_[0-9a-f]{8}[0-9A-Za-z]{16}$/), to: f.email, kind: 'payment_link.created', related_id: link.id,
      status: 'logged', error: null, created_at: link.created_at,
    });
    // Logged at the job's time (the link's creation: the job was due at once), by the environment's clock.
    expect(logged.sent_at).toBe(link.created_at);
    expect(logged.text).toContain(`Pay securely here:\n${link.payment_link}\n`);
    expect(logged.text).toContain('USD 1,234.50');
    expect(logged.text).toContain('The link can be paid until 7 December 2026, 10:00 UTC.');
    expectServedResponse(served, 'get', '/api/v1/mails/{id}', 200, logged);
  });

  it('tells the reminder of a partly paid link with what is left to pay', async () => {
    const f = await fixture(app, clock);
    const link = await f.createLink({ amount: 1_000, allow_partial_payments: true, reminder_frequency: 1 });
    const part = await app.inject({
      method: 'POST', url: `/api/public/v1/payment-link/${link.id}/payments`,
      payload: { method: 'card', card: { number: '4532 4911 1111 1111', exp_month: 12, exp_year: 2030, cvv: '987' }, amount: 400 },
    });
    expect(part.json(), part.body).toMatchObject({ payment_link_status: 'partially_paid' });
    await f.advance({ to: new Date(Date.parse(link.created_at as string) + 1.1 * DAY_MS).toISOString() });
    const [reminder] = await f.mails('?kind=payment_link.reminder');
    expect(reminder).toMatchObject({ status: 'logged', related_id: link.id });
    expect(reminder!.subject).toContain('your payment of USD 6.00');
    expect(reminder!.text).toContain('You have paid USD 4.00 of USD 10.00 so far.');
    // No card data in any mail.
    for (const mail of await f.mails()) expect(mail.text).not.toMatch(/4532|1111|cardtok|cvv/i);
  });

  it('filters by related_id, kind and status, and validates the page against the served schema', async () => {
    const f = await fixture(app, clock);
    const a = await f.createLink({ reminder_frequency: 1 });
    const b = await f.createLink();
    await f.advance({ to: new Date(Date.parse(a.created_at as string) + 1.1 * DAY_MS).toISOString() });
    await f.createLink();
    const all = await f.api('GET', '/api/v1/mails');
    expectServedResponse(served, 'get', '/api/v1/mails', 200, all.json());
    expect(Value.Check(MailList, all.json())).toBe(true);
    expect(all.json().page_meta).toMatchObject({ count: 4 });
    expect((await f.mails(`?related_id=${a.id}`)).map((mail) => mail.kind)).toEqual(['payment_link.reminder', 'payment_link.created']);
    expect((await f.mails(`?related_id=${b.id}`)).map((mail) => mail.kind)).toEqual(['payment_link.created']);
    expect((await f.mails('?kind=payment_link.reminder')).map((mail) => mail.related_id)).toEqual([a.id]);
    expect(await f.mails('?status=queued')).toHaveLength(1);
    expect(await f.mails('?status=logged')).toHaveLength(3);
    expect(await f.mails(`?related_id=${b.id}&kind=payment_link.reminder`)).toEqual([]);
    expect(await f.mails('?status=failed')).toEqual([]);
  });

  it.each([
    ['?kind=invoice', /^Validation failed: Kind must be one of/],
    ['?status=bounced', /^Validation failed: Status must be one of/],
    ['?per_page=0', /^Validation failed: Per page must be greater than or equal to 1/],
  ])('answers 400 for %s', async (query, message) => {
    const f = await fixture(app, clock);
    const response = await f.api('GET', `/api/v1/mails${query}`);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message: expect.stringMatching(message) });
  });

  it("keeps production's mails apart: a production link's mail is in production's log only", async () => {
    const f = await fixture(app, clock, true);
    const link = await f.createLink();
    const [mail] = await f.mails();
    expect(mail).toMatchObject({ related_id: link.id, kind: 'payment_link.created', status: 'queued' });
    const sandbox = await app.inject({ url: `/api/v1/mails/${mail!.id}`, headers: bearer(f.merchant.sandboxSecret) });
    expect(sandbox.statusCode).toBe(404);
    expect(sandbox.json()).toEqual({ error: 'Not Found', message: 'Mail not found', code: 'NOT_FOUND' });
  });

  it('queues nothing when the transaction that queued a mail rolls back', async () => {
    const f = await fixture(app, clock);
    const { database } = await testEnv();
    const ctx = await tenantContext(database.db, clock, { merchantId: f.merchant.id, env: 'sandbox' });
    const relatedId = `plink_rollback${f.merchant.id.slice(-6)}`;
    await expect(database.db.transaction(async (tx) => {
      await app.services.mail.queueMail(unitOf(tx, ctx), { to: f.email, subject: 'Never', text: 'Never sent', kind: 'payment_link.created', relatedId });
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    expect(await f.mails(`?related_id=${relatedId}`)).toEqual([]);
    expect(await database.db.select().from(mails).where(eq(mails.relatedId, relatedId))).toEqual([]);
    expect(await database.db.select().from(jobs).where(and(eq(jobs.merchantId, f.merchant.id), eq(jobs.queue, MAIL_SEND_QUEUE)))).toEqual([]);
    // The same call committed queues the mail and its job.
    await database.db.transaction((tx) =>
      app.services.mail.queueMail(unitOf(tx, ctx), { to: f.email, subject: 'Kept', text: 'Kept', kind: 'payment_link.created', relatedId }));
    expect(await f.mails(`?related_id=${relatedId}`)).toHaveLength(1);
  });
});

describe('subscription notices (notify_customer)', () => {
  const clock = new ManualClock(START);
  let app: App;

  beforeAll(async () => {
    ({ app } = await buildTestApp({ clock }));
  });
  afterAll(async () => {
    await app.close();
  });

  async function subscriptionFixture(notify: boolean, overrides: Json = {}) {
    const f = await fixture(app, clock);
    const response = await f.api('POST', '/api/v1/subscriptions', {
      customer_id: f.customerId, product_name: 'ShieldGuard Insurance', product_description: 'Monthly insurance', plan_name: 'Lite',
      amount: 1000, currency: 'USD', interval_type: 'month', interval_count: 1, billing_cycles: 3,
      start_date: '2026-12-02', expires_at: '2026-12-09', notify_customer: notify, starts_with_first_payment: true, ...overrides,
    });
    expect(response.statusCode, response.body).toBe(201);
    const sub = response.json() as Json & { id: string; subscription_link_url: string };
    const { database } = await testEnv();
    const pay = async () => {
      const ctx = await tenantContext(database.db, clock, { merchantId: f.merchant.id, env: 'sandbox' });
      return (await app.services.subscriptions.payFirstInstalment(ctx, sub.id, VISA_OK)).subscription;
    };
    const read = async () => (await f.api('GET', `/api/v1/subscriptions/${sub.id}`)).json() as Json;
    return { ...f, sub, pay, read };
  }

  it('mails the link, each charge, the declined renewals, the halt and the cancellation, all logged', async () => {
    const f = await subscriptionFixture(true);
    const [created] = await f.mails();
    expect(created).toMatchObject({ kind: 'subscription.created', related_id: f.sub.id, to: f.email, subject: 'Start your subscription to ShieldGuard Insurance (Lite)' });
    expect(created!.text).toContain(`Start it here:\n${f.sub.subscription_link_url}\n`);
    expect(created!.text).toContain('USD 10.00 every month');
    // A minute later (the log is newest first by creation time): the customer pays the link.
    await f.advance({ seconds: 60 });
    expect((await f.pay()).status).toBe('active');
    await f.advance({ seconds: 60 });
    const [charged] = await f.mails('?kind=subscription.charged');
    expect(charged).toMatchObject({ status: 'logged', subject: 'Payment received: USD 10.00 for ShieldGuard Insurance (Lite)' });
    expect(charged!.text).toContain('The next payment of USD 10.00 is due on 2 January 2027.');

    expect((await f.api('PATCH', `/api/v1/subscriptions/${f.sub.id}/mock_renewal_outcome`, { outcome: 'failed' })).statusCode).toBe(200);
    await f.advance({ to: '2027-01-08T12:00:00Z' });
    const failed = await f.mails('?kind=subscription.payment_failed');
    expect(failed.map((mail) => mail.text.match(/We will try again on ([^.]+)\./)?.[1]).reverse()).toEqual([
      '3 January 2027, 01:00 UTC', '5 January 2027, 01:00 UTC', '7 January 2027, 01:00 UTC',
    ]);
    expect(await f.mails('?kind=subscription.halted')).toHaveLength(1);
    expect((await f.api('PATCH', `/api/v1/subscriptions/${f.sub.id}/cancel`)).statusCode).toBe(200);
    await f.advance({ seconds: 60 });
    const log = await f.mails(`?related_id=${f.sub.id}`);
    expect(log.map((mail) => mail.kind).reverse()).toEqual([
      'subscription.created', 'subscription.charged',
      'subscription.payment_failed', 'subscription.payment_failed', 'subscription.payment_failed',
      'subscription.halted', 'subscription.cancelled',
    ]);
    expect(log.every((mail) => mail.status === 'logged' && mail.to === f.email)).toBe(true);
    expect(log[0]!.text).toContain('No further payments will be taken.');
    for (const mail of log) {
      expect(mail.text).toContain(f.sub.subscription_link_url);
      expect(mail.text).not.toMatch(/cardtok|1111/);
    }
  });

  it('mails a pre-authorisation and the renewal that charges it', async () => {
    const f = await subscriptionFixture(true, { starts_with_first_payment: false, start_date: '2026-12-10', expires_at: '2026-12-10', billing_cycles: 2 });
    await f.advance({ seconds: 60 });
    expect((await f.pay()).status).toBe('authorized');
    await f.advance({ to: '2026-12-10T02:00:00Z' });
    const log = await f.mails(`?related_id=${f.sub.id}`);
    expect(log.map((mail) => mail.kind).reverse()).toEqual(['subscription.created', 'subscription.authorized', 'subscription.charged']);
    expect(log[1]!.text).toContain('The next payment of USD 10.00 is due on 10 December 2026.');
    expect(log[0]!.text).toContain('The next payment of USD 10.00 is due on 10 January 2027.');
  });

  it('mails each as_presented charge with its own amount', async () => {
    const f = await subscriptionFixture(true, {
      interval_type: 'as_presented', interval_count: undefined, billing_cycles: undefined, start_date: undefined, max_amount: 3000,
    });
    expect((await f.mails())[0]!.text).toContain('each at most USD 30.00');
    await f.advance({ seconds: 60 });
    await f.pay();
    await f.advance({ seconds: 60 });
    const { database } = await testEnv();
    const ctx = await tenantContext(database.db, clock, { merchantId: f.merchant.id, env: 'sandbox' });
    expect((await app.services.subscriptions.chargePresented(ctx, f.sub.id, { amount: 2500n, requestId: null })).status).toBe('success');
    const charged = await f.mails('?kind=subscription.charged');
    expect(charged.map((mail) => mail.subject)).toEqual([
      'Payment received: USD 25.00 for ShieldGuard Insurance (Lite)', 'Payment received: USD 10.00 for ShieldGuard Insurance (Lite)',
    ]);
    expect(charged[0]!.text).not.toContain('last payment');
  });

  it('mails nothing for a subscription with notify_customer false, whatever happens to it', async () => {
    const f = await subscriptionFixture(false);
    await f.pay();
    await f.api('PATCH', `/api/v1/subscriptions/${f.sub.id}/mock_renewal_outcome`, { outcome: 'failed' });
    await f.advance({ to: '2027-01-08T12:00:00Z' });
    expect((await f.read()).status).toBe('halted');
    await f.api('PATCH', `/api/v1/subscriptions/${f.sub.id}/cancel`);
    expect(await f.mails()).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The list conventions and the security cases of both routes.

/** A mail of `key`'s environment: a new payment link's (one customer per key). */
async function createMail(app: App, key: string, clock: Clock): Promise<string> {
  const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() });
  expect(customer.statusCode, customer.body).toBe(201);
  const link = await app.inject({
    method: 'POST', url: '/api/v1/payin', headers: bearer(key), payload: {
      customer_id: customer.json().id, currency: 'USD', amount: 1000, purpose_code: 'P1401', payment_methods: ['card'],
      expires_at: new Date(clock.now().getTime() + 5 * DAY_MS).toISOString(),
    },
  });
  expect(link.statusCode, link.body).toBe(201);
  const list = await app.inject({ url: `/api/v1/mails?related_id=${link.json().id}`, headers: bearer(key) });
  expect(list.json().data).toHaveLength(1);
  return list.json().data[0].id;
}

describeListConventions('GET /api/v1/mails', {
  url: '/api/v1/mails',
  checkPage: (body) => expect(Value.Check(MailList, body)).toBe(true),
  create: (app, key, _index, clock) => createMail(app, key, clock),
});

const ownMail = (app: App, owner: TestMerchant) => createMail(app, owner.sandboxSecret, systemClock);

describeSecurity('GET /api/v1/mails', {
  method: 'GET',
  url: () => '/api/v1/mails',
  listedObject: ownMail,
});

describeSecurity('GET /api/v1/mails/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/mails/${id}`,
  createObject: ownMail,
  notFoundMessage: 'Mail not found',
  idPrefix: 'mail',
});
