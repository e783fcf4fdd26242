// /api/v1/mails: the environment's mail log, what the dashboard shows of the customer mails (an extension, issue 17).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tenantOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { ListMailsQuery, Mail, MailList } from './schemas.js';
import type { MailService } from './service.js';

export const mailRoutes: FastifyPluginAsyncTypebox<{ mail: MailService }> = async (app, { mail }) => {
  const tags = ['mail'];

  app.get('/mails', {
    schema: {
      tags, operationId: 'listMails', summary: "List the environment's customer mails, newest first (extension)", security: secretKeySecurity,
      description: 'An extension (Glomo sends its customer mails itself and shows them in its dashboard): the mails this server ' +
        'queued for customers (payment links and their reminders, subscription notices with notify_customer), sent through ' +
        'SMTP_URL or, without it, only logged here. Filters: related_id, kind, status.',
      querystring: ListMailsQuery,
      response: { 200: MailList, ...standardErrors },
    },
  }, async (request) => mail.list(tenantOf(request), request.query));

  app.get('/mails/:id', {
    schema: {
      tags, operationId: 'getMail', summary: 'Retrieve a customer mail (extension)', security: secretKeySecurity,
      description: 'An extension: one mail of the mail log, with its text and its delivery status.',
      params: IdParams('mail_6931a2b4Xy12ZaBcDeFgHiJk'),
      response: { 200: Mail, ...standardErrors },
    },
  }, async (request) => mail.get(tenantOf(request), request.params.id));
};
