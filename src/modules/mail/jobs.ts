// The mail's job: `mail.send` hands one queued mail to SMTP (or logs it without SMTP_URL), retrying SMTP failures
// MAIL_MAX_ATTEMPTS times (service.ts). The runner gets it from the service.
export { MAIL_MAX_ATTEMPTS, MAIL_RETRY_DELAYS_MS, MAIL_SEND_QUEUE } from './service.js';
