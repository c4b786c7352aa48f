// The topic a FHIR Subscription names in R4 (Subscriptions Backport IG: `Subscription.criteria` is the
// topic's canonical URL): changes to a referral's ServiceRequest and its Tasks. /fhir/metadata
// announces it; the notifications module delivers it.

export const REFERRAL_CHANGES_TOPIC = 'http://referral-hub.org/fhir/SubscriptionTopic/referral-changes';

/** The Backport IG's extensions and profiles, by what they are. */
export const BACKPORT = {
  subscriptionProfile: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription',
  statusProfile: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4',
  notificationProfile: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-notification-r4',
  topicCanonical: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/capabilitystatement-subscriptiontopic-canonical',
  filterCriteria: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria',
  payloadContent: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content',
  heartbeatPeriod: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-heartbeat-period',
  timeout: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-timeout',
  statusOperation: 'http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-status',
  eventsOperation: 'http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-events',
} as const;
