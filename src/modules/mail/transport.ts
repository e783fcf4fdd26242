// Where a customer mail goes out: SMTP through nodemailer, one transport per process built from SMTP_URL. Without
// SMTP_URL there is no transport and the send job only logs the mail (decision 0041).
import { createTransport } from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** Hands one mail to the mail server; resolves once the server accepted it, rejects with the server's refusal. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
}

/**
 * Timeouts of one SMTP session: the job runner waits for a send (in a sandbox clock advance, so does the request), so
 * a server that does not answer must fail the attempt in seconds, not nodemailer's minutes. A query parameter of
 * SMTP_URL (`?connectionTimeout=30000`) overrides them.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * nodemailer's SMTP transport for SMTP_URL (smtp:// upgrades with STARTTLS when the server offers it, smtps:// is TLS
 * from the start; credentials and options ride in the URL). Unpooled: each mail is one short SMTP session, so no
 * connection outlives a send and nothing needs closing at shutdown.
 */
export function smtpTransport(url: string): MailTransport {
  const transporter = createTransport({ ...SMTP_TIMEOUTS, url });
  return {
    async send(mail) {
      await transporter.sendMail({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}
