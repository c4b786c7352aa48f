// Topic-based FHIR Subscriptions to referral changes: a clinician subscribes for the organisations it
// refers and receives for (or one of them, by filter), an administrator for any organisation of the
// directory. Its events are those told to those organisations after it was made, numbered in order;
// $status says how far it has got, $events gives events again by number. Only its owner (or an
// administrator) reads, queries or ends it; anyone else is told it does not exist.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { forbidden, notFound, validationFailed } from '../../platform/errors.js';
import type { Database } from '../../database.js';
import type { DirectoryLookup } from '../directory/lookup.js';
import { hasRole, type Caller } from '../identity/caller.js';
import { audiencesOf } from './audiences.js';
import { latestSeq } from './feed.js';
import type { Recipient } from './record.js';
import { focusOf, notificationBundle, subscriptionResource, subscriptionStatus, type NumberedEvent } from './subscription-bundles.js';
import { readSubscriptionRequest, type SubscriptionRequest } from './subscription-input.js';
import type { FhirSubscriptionRow, NotificationEventRow } from './tables.js';

/** The focus and context of a referral's event in full, those of `references` the audiences may read now (none else). */
export type FocusReader = (audiences: Recipient[], referralId: number, references: string[]) => Promise<Resource[]>;

/** The most events one $events answer holds. */
const EVENTS_PAGE = 100;

export interface SubscriptionDeps {
  db: Kysely<Database>;
  clock: Clock;
  directory: DirectoryLookup;
  fhirBaseUrl: string;
  focus: FocusReader;
}

export function createSubscriptions({ db, clock, directory, fhirBaseUrl, focus }: SubscriptionDeps) {
  async function subscribe(caller: Caller, body: unknown) {
    const request = readSubscriptionRequest(body);
    const audiences = await audiencesFor(caller, request);
    const startSeq = await latestSeq(db);
    const row = await db
      .insertInto('fhir_subscription')
      .values({
        owner: caller.sub,
        audiences: JSON.stringify(audiences),
        endpoint: request.endpoint,
        headers: JSON.stringify(request.headers),
        content: request.content,
        heartbeat_seconds: request.heartbeatSeconds,
        timeout_seconds: request.timeoutSeconds,
        reason: request.reason,
        ends_at: request.endsAt,
        status: 'requested',
        start_seq: startSeq,
        delivered_seq: startSeq,
        next_attempt_at: clock.now(),
        created_at: clock.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return subscriptionResource(row);
  }

  /** A clinician's own organisations (narrowed by the filter); an administrator's named organisation, both sides. */
  async function audiencesFor(caller: Caller, request: SubscriptionRequest): Promise<Recipient[]> {
    if (hasRole(caller, 'admin')) {
      if (!request.organisation)
        throw validationFailed('Subscription.criteria.extension(filterCriteria)', 'an administrator names the organisation subscribed for');
      if (!(await directory.organization(request.organisation)))
        throw validationFailed('Subscription.criteria.extension(filterCriteria)', `${request.organisation} is not in the directory`);
      return (['referring', 'receiving'] as const).map((side) => ({ organisation: request.organisation!, side }));
    }
    const own = audiencesOf(caller).filter((audience) => !request.organisation || audience.organisation === request.organisation);
    if (own.length === 0) throw forbidden('You refer or receive for no organisation named here, so there is nothing to subscribe to');
    return own;
  }

  async function find(caller: Caller, id: number): Promise<FhirSubscriptionRow> {
    const row = await db.selectFrom('fhir_subscription').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || (row.owner !== caller.sub && !hasRole(caller, 'admin'))) throw notFound(`Subscription/${id}`);
    return row;
  }

  async function list(caller: Caller) {
    let query = db.selectFrom('fhir_subscription').selectAll().where('status', '<>', 'off').orderBy('id');
    if (!hasRole(caller, 'admin')) query = query.where('owner', '=', caller.sub);
    return (await query.limit(EVENTS_PAGE).execute()).map(subscriptionResource);
  }

  async function end(caller: Caller, id: number) {
    await find(caller, id);
    await db.updateTable('fhir_subscription').set({ status: 'off', leased_until: null }).where('id', '=', id).execute();
  }

  /** $status: a searchset of the subscription's status. */
  async function status(caller: Caller, id: number): Promise<Bundle> {
    const row = await find(caller, id);
    const resource = subscriptionStatus(row, fhirBaseUrl, 'query-status', await countEvents(db, row));
    return { resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ fullUrl: `urn:uuid:${resource.id}`, resource, search: { mode: 'match' } }] };
  }

  /** $events: the subscription's events numbered `since` to `until` (at most a page), as a notification Bundle. */
  async function events(caller: Caller, id: number, window: { since?: number; until?: number; content?: string }): Promise<Bundle> {
    const row = await find(caller, id);
    const content = window.content ?? row.content;
    if (!['empty', 'id-only', 'full-resource'].includes(content)) throw validationFailed('content', 'must be empty, id-only or full-resource');
    const asked = { ...row, content: content as FhirSubscriptionRow['content'] };
    const numbered = await numberedEvents(db, row, window.since ?? 1, window.until);
    const withResources = await Promise.all(numbered.map(({ number, event }) => withFocus(asked, focus, number, event)));
    return notificationBundle(asked, fhirBaseUrl, 'query-event', await countEvents(db, row), withResources, clock.now());
  }

  return { subscribe, find: (caller: Caller, id: number) => find(caller, id).then(subscriptionResource), list, end, status, events };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;

/** An event with the resources the subscription is sent in full: only for full-resource, and only those its organisations may read now. */
export async function withFocus(row: FhirSubscriptionRow, focus: FocusReader, number: number, event: NotificationEventRow): Promise<NumberedEvent> {
  if (row.content !== 'full-resource') return { number, event, resources: [] };
  const { focus: about, context } = focusOf(event);
  return { number, event, resources: await focus(row.audiences, event.subject_id, [about, ...(context ? [context] : [])]) };
}

/** The subscription's events: its audiences', of the topic, after its start; numbered from 1 in delivery order. */
function subscriptionEvents(row: FhirSubscriptionRow) {
  const pairs = row.audiences.map((audience) => sql`(${audience.organisation}::text, ${audience.side}::text)`);
  return sql`SELECT event.*, row_number() OVER (ORDER BY event.seq) AS number
    FROM notification_event AS event
   WHERE event.type LIKE 'referral.%'
     AND event.id IN (SELECT recipient.event_id FROM notification_recipient AS recipient
                       WHERE (recipient.organisation, recipient.side) IN (${sql.join(pairs)}) AND recipient.seq > ${row.start_seq})`;
}

async function countEvents(db: Kysely<Database>, row: FhirSubscriptionRow): Promise<number> {
  const { rows } = await sql<{ count: string }>`SELECT count(*) AS count FROM (${subscriptionEvents(row)}) AS events`.execute(db);
  return Number(rows[0]!.count);
}

async function numberedEvents(db: Kysely<Database>, row: FhirSubscriptionRow, since: number, until?: number) {
  const last = Math.min(until ?? Number.MAX_SAFE_INTEGER, since + EVENTS_PAGE - 1);
  const { rows } = await sql<NotificationEventRow & { number: string }>`
    SELECT * FROM (${subscriptionEvents(row)}) AS events WHERE number BETWEEN ${since} AND ${last} ORDER BY number`.execute(db);
  return rows.map(({ number, ...event }) => ({ number: Number(number), event }));
}
