// How advice & guidance looks on the FHIR server: the request as an R4 CommunicationRequest, each
// message as a Communication based on it, in reply to the one before.
import type { CodeableConcept, Communication, CommunicationRequest } from '@medplum/fhirtypes';
import { fhirIdOf } from '../vocabulary/fhir-ids.js';
import type { AdviceStatus } from './advice-states.js';
import type { AdviceMessageRow, AdviceRequestRow } from './tables.js';

const CATEGORY_SYSTEM = 'urn:referral-hub:communication-category';

const ADVICE_AND_GUIDANCE: CodeableConcept = {
  coding: [{ system: CATEGORY_SYSTEM, code: 'advice-and-guidance', display: 'Advice and guidance' }],
  text: 'Advice and guidance',
};

const PLEASE_REFER: CodeableConcept = { coding: [{ system: CATEGORY_SYSTEM, code: 'please-refer', display: 'Please refer' }], text: 'Please refer' };

const REQUEST_STATUS: Record<AdviceStatus, CommunicationRequest['status']> = {
  AWAITING_SPECIALIST: 'active',
  AWAITING_REQUESTER: 'active',
  CLOSED: 'completed',
  CONVERTED: 'completed',
};

const requestId = (id: number) => fhirIdOf('advice', id);

export function toCommunicationRequest(request: AdviceRequestRow): CommunicationRequest {
  return {
    resourceType: 'CommunicationRequest',
    id: requestId(request.id),
    status: REQUEST_STATUS[request.status as AdviceStatus],
    ...(request.status === 'CONVERTED' && { statusReason: { text: 'Converted into a referral' } }),
    category: [ADVICE_AND_GUIDANCE],
    subject: { reference: request.patient_id },
    requester: { reference: request.requester_id },
    recipient: [{ reference: request.performer_id }],
    payload: [{ contentString: request.subject }],
    authoredOn: request.created_at.toISOString(),
  };
}

/** A message, sent by its author to the other side, in reply to the message before it. */
export function toCommunication(message: AdviceMessageRow, request: AdviceRequestRow, previousId: number | undefined): Communication {
  const recipient = message.side === 'requester' ? request.performer_id : request.requester_id;
  return {
    resourceType: 'Communication',
    id: fhirIdOf('message', message.id),
    basedOn: [{ reference: `CommunicationRequest/${requestId(request.id)}` }],
    ...(previousId !== undefined && { inResponseTo: [{ reference: `Communication/${fhirIdOf('message', previousId)}` }] }),
    status: 'completed',
    category: message.please_refer ? [ADVICE_AND_GUIDANCE, PLEASE_REFER] : [ADVICE_AND_GUIDANCE],
    subject: { reference: request.patient_id },
    sent: message.created_at.toISOString(),
    sender: { reference: message.author },
    recipient: [{ reference: recipient }],
    payload: [{ contentString: message.text }],
  };
}
