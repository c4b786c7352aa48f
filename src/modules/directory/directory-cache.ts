// What the directory answers on every request, kept between requests so that it costs no round trip
// (platform/notified-cache.ts): a clinician's memberships, whether an admin token's subject is an
// active administrator, and a patient's active account behind a SMART token. Every directory change,
// made through the directory's service or `npm run admin`, sends NOTIFY `directory_changed` in its own
// transaction and empties it.
import { NotifiedCache } from '../../platform/notified-cache.js';

export const DIRECTORY_CHANGED = 'directory_changed';

export type DirectoryCache = NotifiedCache<unknown>;

export const directoryCache = (): DirectoryCache => new NotifiedCache<unknown>();
