// Random secrets handed out once (session ids, one-time links, client secrets, CSRF tokens), and the
// hash under which the database keeps those it must recognise without holding them.
import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url. */
export const randomToken = () => randomBytes(32).toString('base64url');

/** What the database keeps of a secret it must recognise later: its SHA-256, hex. */
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
