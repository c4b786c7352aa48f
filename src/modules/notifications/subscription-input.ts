// Reading a Subscription a subscriber POSTs to /fhir (R4, Subscriptions Backport IG): the referral
// topic, the rest-hook channel, its payload content, heartbeat period, timeout and headers, and an
// optional `organization` filter. Anything else is refused, naming the element.
import { validationFailed } from '../../platform/errors.js';
import { BACKPORT, REFERRAL_CHANGES_TOPIC } from '../vocabulary/subscription-topics.js';
import { assertUrl } from './webhook-admin.js';

export interface SubscriptionRequest {
  reason: string;
  endpoint: string;
  content: 'empty' | 'id-only' | 'full-resource';
  heartbeatSeconds: number | null;
  timeoutSeconds: number;
  headers: string[];
  /** The organisation named by a filter (`ServiceRequest?organization=Organization/x`), when one is. */
  organisation?: string;
  endsAt: Date | null;
}

const CONTENTS = ['empty', 'id-only', 'full-resource'] as const;
const MAX_TIMEOUT_SECONDS = 60;
const ORGANISATION_FILTER = /^(?:ServiceRequest\?)?organization=(Organization\/[A-Za-z0-9.-]{1,64})$/;

interface Extension {
  url?: string;
  valueString?: string;
  valueCode?: string;
  valueUnsignedInt?: number;
}

type Json = Record<string, unknown>;

const extensionsOf = (element: unknown): Extension[] => ((element as { extension?: Extension[] } | undefined)?.extension ?? []).filter(Boolean);
const extension = (element: unknown, url: string) => extensionsOf(element).find((candidate) => candidate.url === url);

export function readSubscriptionRequest(body: unknown): SubscriptionRequest {
  const subscription = (body ?? {}) as Json;
  if (subscription.resourceType !== 'Subscription') throw validationFailed('Subscription.resourceType', 'must be Subscription');
  if (subscription.criteria !== REFERRAL_CHANGES_TOPIC) {
    throw validationFailed('Subscription.criteria', `must be the topic this server offers: ${REFERRAL_CHANGES_TOPIC}`);
  }
  if (typeof subscription.reason !== 'string' || subscription.reason.trim() === '') throw validationFailed('Subscription.reason', 'is required');
  const channel = (subscription.channel ?? {}) as Json;
  if (channel.type !== 'rest-hook') throw validationFailed('Subscription.channel.type', 'must be rest-hook');
  if (typeof channel.endpoint !== 'string') throw validationFailed('Subscription.channel.endpoint', 'is required');
  assertUrl(channel.endpoint, 'Subscription.channel.endpoint');
  if (channel.payload !== undefined && channel.payload !== 'application/fhir+json') {
    throw validationFailed('Subscription.channel.payload', 'must be application/fhir+json');
  }
  return {
    reason: subscription.reason,
    endpoint: channel.endpoint,
    content: contentOf(channel),
    heartbeatSeconds: secondsOf(channel, BACKPORT.heartbeatPeriod, 'heartbeatPeriod') ?? null,
    timeoutSeconds: Math.min(secondsOf(channel, BACKPORT.timeout, 'timeout') ?? 10, MAX_TIMEOUT_SECONDS),
    headers: headersOf(channel.header),
    ...organisationOf(subscription._criteria),
    endsAt: endOf(subscription.end),
  };
}

function contentOf(channel: Json): SubscriptionRequest['content'] {
  const content = extension(channel._payload, BACKPORT.payloadContent)?.valueCode ?? 'id-only';
  if (!CONTENTS.includes(content as never)) throw validationFailed('Subscription.channel.payload.extension', `content must be one of ${CONTENTS.join(', ')}`);
  return content as SubscriptionRequest['content'];
}

function secondsOf(channel: Json, url: string, name: string): number | undefined {
  const value = extension(channel, url)?.valueUnsignedInt;
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > 86_400)
    throw validationFailed(`Subscription.channel.extension(${name})`, 'must be whole seconds from 1 to 86400');
  return value;
}

function headersOf(header: unknown): string[] {
  if (header === undefined) return [];
  if (!Array.isArray(header) || header.length > 10) throw validationFailed('Subscription.channel.header', 'must be at most 10 headers');
  header.forEach((line, index) => {
    if (typeof line !== 'string' || !/^[A-Za-z0-9-]{1,64}: ?[^\r\n]{1,1024}$/.test(line)) {
      throw validationFailed(`Subscription.channel.header[${index}]`, 'must be "Name: value" on one line');
    }
  });
  return header as string[];
}

function organisationOf(criteria: unknown): { organisation?: string } {
  const filters = extensionsOf(criteria).filter((candidate) => candidate.url === BACKPORT.filterCriteria);
  if (filters.length === 0) return {};
  const named = filters.length === 1 ? ORGANISATION_FILTER.exec(filters[0]!.valueString ?? '') : null;
  if (!named)
    throw validationFailed('Subscription.criteria.extension(filterCriteria)', 'the one filter offered is ServiceRequest?organization=Organization/{id}');
  return { organisation: named[1]! };
}

function endOf(end: unknown): Date | null {
  if (end === undefined) return null;
  const at = typeof end === 'string' ? new Date(end) : new Date(NaN);
  if (Number.isNaN(at.getTime())) throw validationFailed('Subscription.end', 'must be an instant');
  return at;
}
