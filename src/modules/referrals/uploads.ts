// An uploaded file, read as it streams in: its size held to the cap while reading, its SHA-256 taken
// on the way, and its content type decided by its first bytes, which must agree with what it was
// declared as. Only documents and images a clinician would attach are taken.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '../../platform/errors.js';

/** The content types taken, each with the bytes its files begin with. */
const SIGNATURES: { contentType: string; name: string; magic: number[] }[] = [
  { contentType: 'application/pdf', name: 'a PDF document', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { contentType: 'image/png', name: 'a PNG image', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { contentType: 'image/jpeg', name: 'a JPEG image', magic: [0xff, 0xd8, 0xff] },
];

export const ACCEPTED_CONTENT_TYPES = SIGNATURES.map((signature) => signature.contentType);

export interface UploadedFile {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
  sha256: string;
}

/** The columns of an attachment of `file` added by `caller`, whatever it is attached to. */
export function attachmentColumns(caller: { sub: string; fhirUser?: string }, file: UploadedFile, description?: string) {
  return {
    file_name: file.fileName,
    content_type: file.contentType,
    size_bytes: file.bytes.length,
    sha256: file.sha256,
    description: description ?? null,
    uploaded_by: caller.sub,
    author: caller.fhirUser ?? caller.sub,
  };
}

/** What the audit keeps of an added file: its type, size and checksum, never its name or content. */
export const uploadAudit = (file: UploadedFile) => ({ contentType: file.contentType, sizeBytes: file.bytes.length, sha256: file.sha256 });

/** Reads `stream` (already cut at the cap by the multipart parser, which sets `truncated`) and checks its type on its bytes. */
export async function readUpload(
  part: { filename: string; mimetype: string; file: Readable & { truncated?: boolean } },
  maxBytes: number,
): Promise<UploadedFile> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  for await (const chunk of part.file as AsyncIterable<Buffer>) {
    hash.update(chunk);
    chunks.push(chunk);
  }
  if (part.file.truncated) throw new AppError(413, 'PAYLOAD_TOO_LARGE', `file: ${part.filename} is larger than the ${maxBytes} bytes an attachment may be`);
  const bytes = Buffer.concat(chunks);
  if (bytes.length === 0) throw new AppError(400, 'VALIDATION_FAILED', 'file: is empty', { field: 'file' });
  return { fileName: part.filename, contentType: contentTypeOf(bytes, part.mimetype, part.filename), bytes, sha256: hash.digest('hex') };
}

function contentTypeOf(bytes: Uint8Array, declared: string, fileName: string): string {
  const found = SIGNATURES.find(({ magic }) => magic.every((byte, index) => bytes[index] === byte));
  if (!found) {
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `file: ${fileName} is not a PDF, PNG or JPEG file (checked on its content)`, { field: 'file' });
  }
  if (declared !== found.contentType) {
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `file: ${fileName} was sent as ${declared} but its content is ${found.name}`, { field: 'file' });
  }
  return found.contentType;
}
