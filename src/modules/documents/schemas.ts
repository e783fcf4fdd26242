import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';

export const DocumentStatus = Type.Enum(['uploaded', 'approved', 'rejected']);

export const DocumentResponse = Type.Object({
  id: Type.String({ examples: ['doc_6819d804nYUqL'] }),
  document_name: Type.String({ examples: ['invoice'] }),
  file_name: Type.String({ examples: ['invoice_BC8tFdE.pdf'] }),
  status: DocumentStatus,
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type DocumentResponse = Static<typeof DocumentResponse>;

export const ListDocumentsQuery = Type.Object({ ...PaginationQuery });
export type ListDocumentsQuery = Static<typeof ListDocumentsQuery>;

export const DocumentList = ListOf(DocumentResponse);
