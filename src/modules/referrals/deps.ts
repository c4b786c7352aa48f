// What the referral use cases need from the app: the database, the clock, the consent gate, the
// directory and the response-time table.
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import type { ConsentGate } from '../consent/gate.js';
import type { DirectoryLookup } from '../directory/lookup.js';
import type { Priority } from '../vocabulary/priority.js';

export interface ReferralDeps {
  db: Kysely<Database>;
  clock: Clock;
  consentGate: ConsentGate;
  directory: DirectoryLookup;
  responseDueHours: Record<Priority, number>;
}

/** A use case's answer when the HTTP status is part of it (a replayed idempotent request). */
export interface Outcome<T> {
  statusCode: number;
  body: T;
}
