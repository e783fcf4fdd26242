// Uploaded files are typed by their first bytes, not by what the client claims.

export interface AllowedType {
  contentType: string;
  extension: string;
}

const SIGNATURES: Array<{ bytes: number[]; type: AllowedType }> = [
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], type: { contentType: 'application/pdf', extension: 'pdf' } },
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], type: { contentType: 'image/png', extension: 'png' } },
  { bytes: [0xff, 0xd8, 0xff], type: { contentType: 'image/jpeg', extension: 'jpg' } },
];

export const ALLOWED_TYPES_TEXT = 'PDF, PNG or JPEG';

export function sniffDocumentType(head: Buffer): AllowedType | undefined {
  return SIGNATURES.find(({ bytes }) => bytes.every((byte, index) => head[index] === byte))?.type;
}
