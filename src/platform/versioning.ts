// Optimistic concurrency over HTTP: a record's version is its ETag, and If-Match must name it
// (RFC 9110 §8.8.3 and §13.1.1).
import { validationFailed, versionConflict } from './errors.js';

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Throws 412 unless `ifMatch` is absent, `*`, or lists the current version's ETag. */
export function assertIfMatch(ifMatch: string | undefined, currentVersion: number): void {
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(',').map((tag) => tag.trim());
  if (tags.includes('*')) return;
  if (!tags.every((tag) => /^(W\/)?"[^"]*"$/.test(tag))) {
    throw validationFailed('headers.if-match', 'must be a quoted entity tag such as "3"');
  }
  const current = etagOf(currentVersion);
  if (!tags.some((tag) => tag.replace(/^W\//, '') === current)) throw versionConflict(tags.join(', '), current);
}
