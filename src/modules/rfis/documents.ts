// Documents attached to a payment or a refund through `update_rfi` (notes-payins §8.5, §9.4): the shared body, the
// checks and merge of the documents sent, and their response shape (the contract's `AttachedDocument`).
import { Type, type Static } from 'typebox';
import type { DbOrTx } from '../../db/client.js';
import type { AttachedDocumentRef } from '../../db/schema/index.js';
import { errors } from '../../core/errors.js';
import { ID_PREFIXES, newId } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import type { Tenant } from '../../core/tenancy.js';

/** Documents one request may send, and documents one payment or refund may carry in all. */
export const MAX_DOCUMENTS_PER_REQUEST = 20;
export const MAX_ATTACHED_DOCUMENTS = 50;

export const UpdateRfiBody = Type.Object({
  documents: Type.Array(Type.Object({
    id: Type.String({ description: 'A document uploaded with POST /document.', examples: ['doc_67fc2f42468Bw'] }),
    rfi_doc_id: Type.Optional(Type.String({
      description: 'The RFI requirement the document answers, when it answers one.',
      examples: ['rfidoc_68c8dffedhMHD'],
    })),
  }, { additionalProperties: false }), {
    minItems: 1,
    maxItems: MAX_DOCUMENTS_PER_REQUEST,
    description: 'The documents to attach, each id once; an id attached before is attached again in its place.',
  }),
}, { additionalProperties: false });
export type UpdateRfiBody = Static<typeof UpdateRfiBody>;

/** The contract's `AttachedDocument`. */
export const AttachedDocument = Type.Object({
  id: Type.String({ examples: ['doc_nYUqLpuYQ0M8'] }),
  type: Type.String({ description: 'The document\'s `document_name` when it was attached.', examples: ['invoice'] }),
  status: Type.Enum(['pending', 'uploaded', 'rejected', 'approved'], { description: '`uploaded`: documents are not reviewed.' }),
  rfi_doc_id: Type.Union([Type.String(), Type.Null()], { description: 'Null when the document answers no RFI requirement.' }),
});
export type AttachedDocument = Static<typeof AttachedDocument>;

/** How the caller looks up a tenant's document: the documents module's `findDocument`, passed in by the caller. */
export type DocumentFinder = (db: DbOrTx, tenant: Tenant, id: string) => Promise<{ id: string; documentName: string } | undefined>;

/**
 * Checks the documents of an `update_rfi` body and merges them into the ones already attached, in the caller's
 * transaction (under the owner's row lock). Each id must be the tenant's document (404 `Document not found`
 * otherwise, also for another tenant's) and appear once in the body; `rfi_doc_id`, when sent, must be an `rfidoc_…`
 * id. A document attached before keeps its place and takes the new `rfi_doc_id` (if one is sent) and current name.
 */
export async function resolveAttachedDocuments(
  db: DbOrTx,
  tenant: Tenant,
  body: UpdateRfiBody,
  existing: readonly AttachedDocumentRef[],
  findDocument: DocumentFinder,
): Promise<AttachedDocumentRef[]> {
  const sent = new Set<string>();
  const merged = [...existing];
  for (const document of body.documents) {
    const id = document.id.trim();
    if (!id.startsWith(`${ID_PREFIXES.document}_`)) throw errors.validation('Document ID must start with doc_ and be valid.');
    const rfiDocId = document.rfi_doc_id?.trim() || null;
    if (rfiDocId !== null && !rfiDocId.startsWith(`${ID_PREFIXES.rfiDocument}_`)) {
      throw errors.validation('RFI document ID must start with rfidoc_ and be valid.');
    }
    if (sent.has(id)) throw errors.validation(`Documents repeat id ${id}`);
    sent.add(id);
    const row = await findDocument(db, tenant, id);
    if (!row) throw errors.notFound('Document');
    const at = merged.findIndex((ref) => ref.id === id);
    if (at === -1) merged.push({ id, type: row.documentName, rfi_doc_id: rfiDocId });
    else merged[at] = { id, type: row.documentName, rfi_doc_id: rfiDocId ?? merged[at]!.rfi_doc_id };
  }
  if (merged.length > MAX_ATTACHED_DOCUMENTS) {
    throw errors.validation(`At most ${MAX_ATTACHED_DOCUMENTS} documents can be attached`);
  }
  return merged;
}

/** The response shape of stored references: documents are not reviewed, so each is `uploaded`. */
export function presentAttachedDocuments(refs: readonly AttachedDocumentRef[]): AttachedDocument[] {
  return refs.map((ref) => ({ id: ref.id, type: ref.type, status: 'uploaded', rfi_doc_id: ref.rfi_doc_id }));
}

// ---------------------------------------------------------------------------------------------------------------
// The documents a compliance review asks of an order or a payment link, kept on its row (`rfi_documents`), and
// their answer through the payin's update_rfi: one document for each requirement.

/** One requirement: its id, what is asked, and the document that answered it once answered. */
export interface PayinRfiRequirement {
  rfi_doc_id: string;
  name: string;
  document_id?: string;
}

/** Fresh requirements for the documents named (a payin moves to `action_required` only with some). */
export function newRfiRequirements(names: readonly string[], clock: Clock, what: string): PayinRfiRequirement[] {
  if (names.length === 0) throw new Error(`${what} moves to action_required only with the documents it needs`);
  const now = clock.now();
  return names.map((name) => ({ rfi_doc_id: newId(ID_PREFIXES.rfiDocument, now), name }));
}

/**
 * The requirements answered: each document sent must name one of them (`Invalid rfi_doc_id … for this <what>`), once,
 * be a `doc_…` of the tenant (404 otherwise), and every requirement must be answered.
 */
export async function answerRfiRequirements(
  db: DbOrTx,
  tenant: Tenant,
  required: readonly PayinRfiRequirement[],
  documents: ReadonlyArray<{ id: string; rfi_doc_id: string }>,
  what: string,
  findDocument: DocumentFinder,
): Promise<PayinRfiRequirement[]> {
  const submitted = new Map<string, string>();
  for (const document of documents) {
    if (!required.some((doc) => doc.rfi_doc_id === document.rfi_doc_id)) {
      throw errors.validation(`Invalid rfi_doc_id ${document.rfi_doc_id} for this ${what}`);
    }
    if (submitted.has(document.rfi_doc_id)) throw errors.validation(`Documents repeat rfi_doc_id ${document.rfi_doc_id}`);
    if (!document.id.startsWith(`${ID_PREFIXES.document}_`)) throw errors.validation('Document ID must start with doc_ and be valid.');
    if (!(await findDocument(db, tenant, document.id))) throw errors.notFound('Document');
    submitted.set(document.rfi_doc_id, document.id);
  }
  const missing = required.filter((doc) => !submitted.has(doc.rfi_doc_id));
  if (missing.length > 0) {
    throw errors.validation(`Documents are missing for rfi_doc_id ${missing.map((doc) => doc.rfi_doc_id).join(', ')}`);
  }
  return required.map((doc) => ({ ...doc, document_id: submitted.get(doc.rfi_doc_id)! }));
}
