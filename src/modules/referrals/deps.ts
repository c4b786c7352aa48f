// What the referral use cases need from the app: the database, the clock, the consent gate, the
// directory, the response-time table and the attachment store.
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import type { ConsentGate } from '../consent/gate.js';
import type { DirectoryLookup } from '../directory/lookup.js';
import type { Priority } from '../vocabulary/priority.js';
import type { AttachmentStore } from './attachment-store.js';

export interface ReferralDeps {
  db: Kysely<Database>;
  clock: Clock;
  consentGate: ConsentGate;
  directory: DirectoryLookup;
  responseDueHours: Record<Priority, number>;
  /** Where attachment content is kept. */
  attachments: AttachmentStore;
}

/** A use case's answer when the HTTP status is part of it (a replayed idempotent request). */
export interface Outcome<T> {
  statusCode: number;
  body: T;
}
