import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { MAX_DOCUMENTS_PER_REQUEST } from './documents.js';
import { RFI_ENTITY_TYPES, RFI_STATUSES } from '../../db/schema/rfis.js';

export { AttachedDocument } from './documents.js';

/** The RFI object of the 2026 `Payment` schema (notes-payins §8.1), with what the resource adds (decision 0017). */
export const Rfi = Type.Object({
  id: Type.String({ examples: ['rfi_6a8fd80eo6coZ'] }),
  status: Type.Enum([...RFI_STATUSES], {
    description: '`action_required`: waiting for documents; `under_review`: answered. `approved` / `rejected` are reserved for ' +
      'the compliance decision, not reached yet.',
  }),
  entity_type: Type.Enum([...RFI_ENTITY_TYPES], { description: 'The held object: `payout` (payments raise no RFIs yet).' }),
  entity_id: Type.String({ examples: ['payout_6a8fd80eo6coZ'] }),
  reason_code: Type.String({ examples: ['COMPLIANCE_REVIEW'] }),
  reason_code_description: Type.String(),
  response_deadline: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  documents_required: Type.Array(Type.Object({
    rfi_doc_id: Type.String({ examples: ['rfidoc_68c8dffedhMHD'] }),
    description: Type.String({ examples: ['Invoice'] }),
    multiple_allowed: Type.Boolean(),
    max_count: Type.Integer(),
  })),
  responses: Type.Array(Type.Object({
    rfi_doc_id: Type.String(),
    doc_id: Type.String({ examples: ['doc_67fc2f42468Bw'] }),
  }), { description: 'The last answer: the document sent for each requirement.' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Rfi = Static<typeof Rfi>;

export const RfiList = ListOf(Rfi);

export const ListRfisQuery = Type.Object({
  status: Type.Optional(Type.Enum([...RFI_STATUSES])),
  entity_id: Type.Optional(Type.String({ description: 'The held object, e.g. a payout id.' })),
  ...PaginationQuery,
});
export type ListRfisQuery = Static<typeof ListRfisQuery>;

export const RespondRfiBody = Type.Object({
  documents: Type.Array(Type.Object({
    rfi_doc_id: Type.String({ minLength: 1, description: 'A requirement of `documents_required`.', examples: ['rfidoc_68c8dffedhMHD'] }),
    doc_id: Type.String({ minLength: 1, description: 'A document uploaded with POST /document.', examples: ['doc_67fc2f42468Bw'] }),
  }, { additionalProperties: false }), {
    minItems: 1,
    maxItems: MAX_DOCUMENTS_PER_REQUEST,
    description: 'One pair per entry of `documents_required`, all in one call.',
  }),
}, { additionalProperties: false });
export type RespondRfiBody = Static<typeof RespondRfiBody>;
