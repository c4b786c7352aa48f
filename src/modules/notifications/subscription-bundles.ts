// The R4 shapes of topic-based Subscriptions (Subscriptions Backport IG): a Subscription as read back,
// and notification Bundles — type `history`, the first entry the subscription's status (a Parameters
// resource), then, unless the subscriber asked for `empty`, each event's focus (the referral's
// ServiceRequest) and context (its Task): their full form where the subscriber may read them and
// asked for it, else their ids alone.
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Parameters, ParametersParameter, Resource, Subscription } from '@medplum/fhirtypes';
import { BACKPORT, REFERRAL_CHANGES_TOPIC } from '../vocabulary/subscription-topics.js';
import { fhirIdOf } from '../vocabulary/fhir-ids.js';
import type { FhirSubscriptionRow, NotificationEventRow } from './tables.js';

export type NotificationType = 'handshake' | 'heartbeat' | 'event-notification' | 'query-status' | 'query-event';

/** An event as a notification tells it: its number among the subscription's events, and the resources it is about. */
export interface NumberedEvent {
  number: number;
  event: NotificationEventRow;
  /** The focus and context in full, where the subscriber is sent them. */
  resources: Resource[];
}

/** The topic's events: a referral's changes (its ServiceRequest's and its Tasks'). */
export const isTopicEvent = (type: string) => type.startsWith('referral.');

/** The ServiceRequest an event is about, and its Task when it names one, as `Type/id`. */
export function focusOf(event: NotificationEventRow): { focus: string; context?: string } {
  const taskId = event.data.taskId as number | undefined;
  return {
    focus: `ServiceRequest/${fhirIdOf('referral', event.subject_id)}`,
    ...(taskId !== undefined && { context: `Task/${fhirIdOf('task', taskId)}` }),
  };
}

/** The subscription as read back (its headers left out: they may carry the subscriber's credentials). */
export function subscriptionResource(row: FhirSubscriptionRow): Subscription {
  const organisations = [...new Set(row.audiences.map((audience) => audience.organisation))];
  // R4 JSON keeps a primitive's extensions beside it (`_criteria`, `_payload`), which the types leave out.
  const subscription = {
    resourceType: 'Subscription',
    id: String(row.id),
    meta: { profile: [BACKPORT.subscriptionProfile] },
    status: row.status,
    reason: row.reason,
    ...(row.ends_at && { end: row.ends_at.toISOString() }),
    ...(row.last_error && { error: row.last_error }),
    criteria: REFERRAL_CHANGES_TOPIC,
    _criteria: {
      extension: organisations.map((organisation) => ({ url: BACKPORT.filterCriteria, valueString: `ServiceRequest?organization=${organisation}` })),
    },
    channel: {
      extension: [
        ...(row.heartbeat_seconds ? [{ url: BACKPORT.heartbeatPeriod, valueUnsignedInt: row.heartbeat_seconds }] : []),
        { url: BACKPORT.timeout, valueUnsignedInt: row.timeout_seconds },
      ],
      type: 'rest-hook',
      endpoint: row.endpoint,
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: BACKPORT.payloadContent, valueCode: row.content }] },
    },
  };
  return subscription as Subscription;
}

/** The subscription's status as of now: the first entry of every notification and the answer of $status. */
export function subscriptionStatus(
  row: FhirSubscriptionRow,
  fhirBaseUrl: string,
  type: NotificationType,
  eventsSinceStart: number,
  events: NumberedEvent[] = [],
): Parameters {
  const parameter: ParametersParameter[] = [
    { name: 'subscription', valueReference: { reference: `${fhirBaseUrl}/Subscription/${row.id}` } },
    { name: 'topic', valueCanonical: REFERRAL_CHANGES_TOPIC },
    { name: 'status', valueCode: row.status },
    { name: 'type', valueCode: type },
    { name: 'events-since-subscription-start', valueString: String(eventsSinceStart) },
    ...events.map(({ number, event }) => ({ name: 'notification-event', part: eventParts(row, fhirBaseUrl, number, event) })),
    ...(row.last_error ? [{ name: 'error', valueCodeableConcept: { text: row.last_error } }] : []),
  ];
  return { resourceType: 'Parameters', id: randomUUID(), meta: { profile: [BACKPORT.statusProfile] }, parameter };
}

function eventParts(row: FhirSubscriptionRow, fhirBaseUrl: string, number: number, event: NotificationEventRow): ParametersParameter[] {
  const parts: ParametersParameter[] = [
    { name: 'event-number', valueString: String(number) },
    { name: 'timestamp', valueInstant: event.occurred_at.toISOString() },
  ];
  if (row.content === 'empty') return parts;
  const { focus, context } = focusOf(event);
  return [
    ...parts,
    { name: 'focus', valueReference: { reference: `${fhirBaseUrl}/${focus}` } },
    ...(context ? [{ name: 'additional-context', valueReference: { reference: `${fhirBaseUrl}/${context}` } }] : []),
  ];
}

/** A notification Bundle (`history`): the status first, then the events' resources, in full or by id. */
export function notificationBundle(
  row: FhirSubscriptionRow,
  fhirBaseUrl: string,
  type: NotificationType,
  eventsSinceStart: number,
  events: NumberedEvent[],
  at: Date,
): Bundle {
  const status = subscriptionStatus(row, fhirBaseUrl, type, eventsSinceStart, events);
  const statusEntry: BundleEntry = {
    fullUrl: `urn:uuid:${status.id}`,
    resource: status,
    request: { method: 'GET', url: `Subscription/${row.id}/$status` },
    response: { status: '200' },
  };
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { profile: [BACKPORT.notificationProfile] },
    type: 'history',
    timestamp: at.toISOString(),
    entry: [statusEntry, ...(row.content === 'empty' ? [] : events.flatMap((numbered) => resourceEntries(fhirBaseUrl, numbered)))],
  };
}

function resourceEntries(fhirBaseUrl: string, { event, resources }: NumberedEvent): BundleEntry[] {
  const { focus, context } = focusOf(event);
  return [focus, ...(context ? [context] : [])].map((reference) => {
    const resource = resources.find((candidate) => `${candidate.resourceType}/${candidate.id}` === reference);
    return {
      fullUrl: `${fhirBaseUrl}/${reference}`,
      ...(resource && { resource }),
      request: { method: 'PUT', url: reference },
      response: { status: '200' },
    };
  });
}
