// The customer mails of an environment (issue 17, decision 0041): queued in the transaction of the change that causes
// them (with their `mail.send` job, so a change rolled back sends nothing), then sent through SMTP by that job, or only
// logged when no SMTP_URL is set; listed and read back as the environment's mail log. Other modules reach it through
// the seams the composition root hands them (a payment link's reminder, a subscription's notice): this module imports
// neither payment links nor subscriptions.
import { and, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { mails, type MailStatus } from '../../db/schema/index.js';
import { isoSeconds } from '../../core/clock.js';
import type { UnitOfWork } from '../../core/context.js';
import { errors } from '../../core/errors.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { enqueueJob, tenantRowPayload, type Job, type JobHandler, type JobOutcome } from '../../core/jobs.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { findCustomer } from '../customers/service.js';
import { findMerchant } from '../merchants/service.js';
import { paymentLinkWords, subscriptionWords, type Parties, type PaymentLinkFacts, type SubscriptionFacts, type SubscriptionNotice } from './notices.js';
import type { ListMailsQuery, Mail, MailKind } from './schemas.js';
import type { MailTransport } from './transport.js';

export type { PaymentLinkFacts, SubscriptionFacts, SubscriptionNotice } from './notices.js';
export type { MailTransport, OutgoingMail } from './transport.js';
export { smtpTransport } from './transport.js';

export interface MailDeps {
  db: Db;
  /** MAIL_FROM: the From of every mail queued. */
  from: string;
  /** The SMTP transport (SMTP_URL), built once per process; absent: mails are logged, not sent. */
  transport?: MailTransport | undefined;
}

export type MailRow = typeof mails.$inferSelect;

export interface MailInput {
  to: string;
  subject: string;
  text: string;
  kind: MailKind;
  /** The payment link or subscription the mail is about. */
  relatedId: string;
}

/** The queue of the job that sends (or logs) one queued mail. */
export const MAIL_SEND_QUEUE = 'mail.send';
/** Attempts at one mail before it is `failed`: the first and four retries, over about 2.5 hours. */
export const MAIL_MAX_ATTEMPTS = 5;
/** The wait after attempt 1, 2, 3 and 4 fails: a mail server down for a restart or a short outage still gets it. */
export const MAIL_RETRY_DELAYS_MS: readonly number[] = [60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000];
/** The longest SMTP error kept (servers may answer with long multi-line texts). */
const MAX_ERROR_LENGTH = 500;

export function presentMail(row: MailRow): Mail {
  return {
    id: row.id,
    to: row.toAddress,
    from: row.fromAddress,
    subject: row.subject,
    text: row.text,
    kind: row.kind as MailKind,
    related_id: row.relatedId,
    status: row.status,
    error: row.error,
    created_at: isoSeconds(row.createdAt),
    sent_at: row.sentAt === null ? null : isoSeconds(row.sentAt),
  };
}

/**
 * Queues a mail with the caller's transaction handle: the row (`queued`) and its `mail.send` job commit with the
 * caller's change or not at all. Answers the mail's id.
 */
export async function queueMail(uow: UnitOfWork, from: string, input: MailInput): Promise<string> {
  const now = uow.clock.now();
  const id = newId(ID_PREFIXES.mail, now);
  await uow.tx.insert(mails).values({
    id,
    ...uow.tenant,
    toAddress: input.to,
    fromAddress: from,
    subject: input.subject,
    text: input.text,
    kind: input.kind,
    relatedId: input.relatedId,
    status: 'queued',
    error: null,
    attempts: 0,
    createdAt: now,
    sentAt: null,
  });
  await enqueueJob(uow, {
    queue: MAIL_SEND_QUEUE,
    payload: { merchantId: uow.tenant.merchantId, env: uow.tenant.env, mailId: id },
    maxAttempts: MAIL_MAX_ATTEMPTS,
    uniqueKey: `mail:${id}`,
  });
  return id;
}

/** A customer's row as far as a mail needs it: held by a caller that read it already. */
export interface MailRecipient {
  email: string;
  name: string;
}

/**
 * Who the customer mail is from and to: the customer's address and name (`known`, or read), the merchant's name;
 * undefined without a customer.
 */
async function partiesOf(uow: UnitOfWork, customerId: string, known?: MailRecipient): Promise<(Parties & { to: string }) | undefined> {
  const customer = known ?? await findCustomer(uow.tx, uow.tenant, customerId);
  if (!customer) return undefined;
  const merchant = await findMerchant(uow.tx, uow.tenant.merchantId);
  return { to: customer.email, customer: customer.name, merchant: merchant?.name ?? 'Your merchant' };
}

/** An SMTP failure as the mail log shows it: the server's answer or the connection error, on one line. */
function smtpError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.replace(/\s+/g, ' ').trim() || 'SMTP send failed';
  return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH - 1)}…` : line;
}

/**
 * The `mail.send` job: a mail still `queued` is handed to SMTP and marked `sent` (sent_at: the tenant's now), or,
 * without SMTP, marked `logged`. An SMTP failure keeps it `queued` with its error and retries after
 * MAIL_RETRY_DELAYS_MS; after MAIL_MAX_ATTEMPTS it is `failed` and the job dead. A mail no longer queued (a repeat
 * of the job) is left alone. At least once: a process that dies between SMTP's acceptance and the mark sends again.
 */
async function sendQueuedMail(deps: MailDeps, job: Job): Promise<JobOutcome> {
  const target = tenantRowPayload(job.payload, 'mailId');
  if (!target) return { status: 'dead', error: `malformed ${MAIL_SEND_QUEUE} payload` };
  const stillQueued = and(tenantFilter(mails, target.tenant), eq(mails.id, target.id), eq(mails.status, 'queued'));
  const [row] = await deps.db.select().from(mails).where(stillQueued);
  if (!row) return { status: 'done' };
  if (!deps.transport) {
    await deps.db.update(mails).set({ status: 'logged', sentAt: job.clock.now(), attempts: job.attempt, error: null }).where(stillQueued);
    return { status: 'done' };
  }
  try {
    await deps.transport.send({ from: row.fromAddress, to: row.toAddress, subject: row.subject, text: row.text });
  } catch (failure) {
    const error = smtpError(failure);
    if (job.attempt >= MAIL_MAX_ATTEMPTS) {
      await deps.db.update(mails).set({ status: 'failed', error, attempts: job.attempt }).where(stillQueued);
      return { status: 'dead', error };
    }
    await deps.db.update(mails).set({ error, attempts: job.attempt }).where(stillQueued);
    const delay = MAIL_RETRY_DELAYS_MS[Math.min(job.attempt, MAIL_RETRY_DELAYS_MS.length) - 1]!;
    return { status: 'retry', at: new Date(job.clock.now().getTime() + delay), error };
  }
  await deps.db.update(mails).set({ status: 'sent', sentAt: job.clock.now(), attempts: job.attempt, error: null }).where(stillQueued);
  return { status: 'done' };
}

async function listMails(deps: MailDeps, tenant: Tenant, query: ListMailsQuery): Promise<{ data: Mail[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(mails, tenant)];
  const relatedId = query.related_id?.trim();
  if (relatedId !== undefined && relatedId !== '') where.push(eq(mails.relatedId, relatedId));
  if (query.kind !== undefined) where.push(eq(mails.kind, query.kind));
  if (query.status !== undefined) where.push(eq(mails.status, query.status as MailStatus));
  const page = await listPage(deps.db, mails, where, pageRequest(query));
  return { data: page.rows.map(presentMail), page_meta: page.meta };
}

async function getMail(deps: MailDeps, tenant: Tenant, id: string): Promise<Mail> {
  assertIdPrefix(ID_PREFIXES.mail, id);
  const [row] = await deps.db.select().from(mails).where(and(tenantFilter(mails, tenant), eq(mails.id, id)));
  if (!row) throw errors.notFound('Mail');
  return presentMail(row);
}

/** The mail operations: the log's routes, the send job, and the customer notices the composition root wires as seams. */
export function createMailService(deps: MailDeps) {
  const queue = (uow: UnitOfWork, input: MailInput) => queueMail(uow, deps.from, input);
  return Object.freeze({
    list: (tenant: Tenant, query: ListMailsQuery) => listMails(deps, tenant, query),
    get: (tenant: Tenant, id: string) => getMail(deps, tenant, id),
    /** Queues any mail in the caller's transaction (MAIL_FROM as its From). */
    queueMail: queue,

    /**
     * A payment link to its customer, in the caller's transaction: on creation (`payment_link.created`) or as one of
     * its reminders (`payment_link.reminder`). Nothing when the link has no payable page.
     */
    async paymentLinkMail(uow: UnitOfWork, link: PaymentLinkFacts, reminder: boolean, customer?: MailRecipient): Promise<void> {
      const parties = await partiesOf(uow, link.customer_id, customer);
      const words = parties && paymentLinkWords(link, parties, reminder);
      if (!parties || !words) return;
      await queue(uow, { to: parties.to, ...words, kind: reminder ? 'payment_link.reminder' : 'payment_link.created', relatedId: link.id });
    },

    /** A subscription's notice to its customer (`subscription.<notice>`), in the caller's transaction. */
    async subscriptionMail(uow: UnitOfWork, subscription: SubscriptionFacts, notice: SubscriptionNotice, customer?: MailRecipient): Promise<void> {
      const parties = await partiesOf(uow, subscription.customer_id, customer);
      if (!parties) return;
      const words = subscriptionWords(subscription, notice, parties);
      await queue(uow, { to: parties.to, ...words, kind: `subscription.${notice.kind}`, relatedId: subscription.id });
    },

    /** The runner's handler of `mail.send`. */
    jobHandlers: (): Record<string, JobHandler> => ({ [MAIL_SEND_QUEUE]: (job) => sendQueuedMail(deps, job) }),
  });
}

export type MailService = ReturnType<typeof createMailService>;
