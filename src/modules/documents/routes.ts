import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { errors } from '../../core/errors.js';
import { findUnstorableText, unstorableTextError } from '../../core/text-guard.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { DocumentList, DocumentResponse, ListDocumentsQuery } from './schemas.js';
import type { DocumentService, UploadPart } from './service.js';

/**
 * busboy's refusals of a malformed body: plain Errors without a status or code, known by their text (as of
 * @fastify/busboy 3), answered 400 rather than 500.
 */
const MULTIPART_REFUSALS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Multipart: Boundary not found$/, 'Content-Type multipart/form-data must name its boundary'],
  [/^The needle cannot have a length bigger than/, 'Content-Type multipart/form-data names a boundary that is too long'],
  [/unexpected end of multipart data$/i, 'Multipart body ends before its closing boundary'],
];

export const documentRoutes: FastifyPluginAsyncTypebox<{ documents: DocumentService }> = async (app, { documents }) => {
  const maxBytes = documents.maxBytes;
  const tags = ['Document'];

  // Registered in this scope only: no other route parses multipart bodies.
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 4096, parts: 12, headerPairs: 100 },
  });

  app.post('/document', {
    schema: {
      tags, operationId: 'createDocument', summary: 'Create a new document', security: secretKeySecurity,
      description: `multipart/form-data with \`document_name\` (text) and \`file\` (PDF, PNG or JPEG, at most ${maxBytes} bytes).`,
      consumes: ['multipart/form-data'],
      response: { 201: DocumentResponse, ...standardErrors },
    },
  }, async (request, reply) => {
    if (!request.isMultipart()) throw errors.unsupportedMediaType(request.headers['content-type']);
    // The form's text is checked here, as refuseUnstorableText checks JSON bodies: multipart is parsed after it ran.
    const refuseUnstorable = (fields: Record<string, string>) => {
      const path = findUnstorableText(fields);
      if (path) throw unstorableTextError(path, 'Request body');
    };
    async function* parts(): AsyncGenerator<UploadPart> {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          const value = String(part.value ?? '');
          refuseUnstorable({ [part.fieldname]: value });
          yield { kind: 'field', name: part.fieldname, value };
          continue;
        }
        try {
          refuseUnstorable({ [part.fieldname]: '', file_name: part.filename });
        } catch (error) {
          part.file.resume();
          throw error;
        }
        yield { kind: 'file', name: part.fieldname, fileName: part.filename, stream: part.file, truncated: () => part.file.truncated };
      }
    }
    try {
      return reply.status(201).send(await documents.upload(contextOf(request), parts()));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw errors.fileTooLarge(maxBytes);
      if (code === 'FST_FILES_LIMIT') throw errors.validation('Send exactly one file');
      if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw errors.validation('Too many form fields');
      const refusal = error instanceof Error ? MULTIPART_REFUSALS.find(([pattern]) => pattern.test(error.message))?.[1] : undefined;
      if (refusal) throw errors.validation(refusal);
      throw error;
    }
  });

  app.get('/document', {
    schema: {
      tags, operationId: 'getDocuments', summary: 'List all documents', description: 'Lists the documents uploaded in the key\'s environment, newest first, a page at a time, without their contents.', security: secretKeySecurity,
      querystring: ListDocumentsQuery,
      response: { 200: DocumentList, ...standardErrors },
    },
  }, async (request) => documents.list(contextOf(request), request.query));

  app.get('/document/:id', {
    schema: {
      tags, operationId: 'getDocumentById', summary: 'Retrieve a document', description: 'Answers one uploaded document\'s metadata (name, type, size, status) by id (an extension: the contract lists documents only).', security: secretKeySecurity,
      params: IdParams('doc_6819d804nYUqL'),
      response: { 200: DocumentResponse, ...standardErrors },
    },
  }, async (request) => documents.get(contextOf(request), request.params.id));
};
