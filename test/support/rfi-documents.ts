// The update_rfi bodies that payments and refunds refuse alike (core/rfi-documents.ts), with their answers.
import { expect } from 'vitest';

type Send = (payload: unknown) => Promise<{ statusCode: number; json(): unknown }>;

/** Sends each refused body through `send` and checks its status and message; `mine` is one of the tenant's documents. */
export async function expectRfiDocumentsRefused(send: Send, documents: { mine: string; theirs: string; production: string }): Promise<void> {
  const { mine, theirs, production } = documents;
  const refused: [unknown, number, string][] = [
    [{ documents: [{ id: mine }, { id: mine }] }, 400, `Validation failed: Documents repeat id ${mine}`],
    [{ documents: [{ id: 'cust_6819d804aaaaa' }] }, 400, 'Validation failed: Document ID must start with doc_ and be valid.'],
    [{ documents: [{ id: mine, rfi_doc_id: 'rfi_68c8dffedhMHD' }] }, 400, 'Validation failed: RFI document ID must start with rfidoc_ and be valid.'],
    [{ documents: [{ id: mine }, { id: 'doc_6819d804aaaaa' }] }, 404, 'Document not found'],
    [{ documents: [{ id: mine }, { id: theirs }] }, 404, 'Document not found'],
    [{ documents: [{ id: production }] }, 404, 'Document not found'],
  ];
  for (const [payload, status, message] of refused) {
    const response = await send(payload);
    expect(response.statusCode, JSON.stringify(payload)).toBe(status);
    expect(response.json(), JSON.stringify(payload)).toMatchObject({ message });
  }
}
