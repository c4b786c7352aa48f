// Reads referrals, tasks and attachments as the ServiceRequests, Tasks, DocumentReferences and Binaries
// the FHIR mirror delivers.
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { numberedSource, type MirrorSources } from '../vocabulary/record-sources.js';
import { toBinary, toDocumentReference, toFhirTask, toServiceRequest } from './fhir-resources.js';
import { findTasksWithNotes } from './task-repo.js';
import { toCommunication, toCommunicationRequest } from './advice-fhir.js';

export function referralMirrorSources(db: Kysely<Database>, baseUrl: string): MirrorSources {
  const referrals = (ids: number[]) => db.selectFrom('referral').selectAll().where('id', 'in', ids).execute();
  /** Attachments with the patient they are about, through the referral or advice request they are on. */
  const attachments = (ids: number[]) =>
    db
      .selectFrom('attachment')
      .leftJoin('referral', 'referral.id', 'attachment.referral_id')
      .leftJoin('advice_request', 'advice_request.id', 'attachment.advice_request_id')
      .selectAll('attachment')
      .select((eb) => eb.fn.coalesce('referral.patient_id', 'advice_request.patient_id').$notNull().as('patient_id'))
      .where('attachment.id', 'in', ids)
      .execute();
  const adviceRequests = (ids: number[]) => db.selectFrom('advice_request').selectAll().where('id', 'in', ids).execute();
  return {
    CommunicationRequest: numberedSource('advice', adviceRequests, toCommunicationRequest),
    Communication: numberedSource(
      'message',
      async (ids) => {
        const messages = await db.selectFrom('advice_message').selectAll().where('id', 'in', ids).execute();
        if (messages.length === 0) return [];
        const requestIds = [...new Set(messages.map((message) => message.advice_request_id))];
        const [requests, earlier] = await Promise.all([
          adviceRequests(requestIds),
          db.selectFrom('advice_message').select(['id', 'advice_request_id']).where('advice_request_id', 'in', requestIds).orderBy('id').execute(),
        ]);
        return messages.map((message) => {
          const before = earlier.filter((other) => other.advice_request_id === message.advice_request_id && other.id < message.id).at(-1);
          return { message, request: requests.find((request) => request.id === message.advice_request_id)!, previousId: before?.id };
        });
      },
      ({ message, request, previousId }) => toCommunication(message, request, previousId),
    ),
    ServiceRequest: numberedSource(
      'referral',
      async (ids) => {
        const rows = await referrals(ids);
        const attached = await db.selectFrom('attachment').select(['id', 'referral_id']).where('referral_id', 'in', ids).orderBy('id').execute();
        return rows.map((row) => ({ row, attachmentIds: attached.filter((a) => a.referral_id === row.id).map((a) => a.id) }));
      },
      ({ row, attachmentIds }) => toServiceRequest(row, baseUrl, attachmentIds),
    ),
    Task: numberedSource(
      'task',
      async (taskIds) => {
        const tasks = await findTasksWithNotes(db, taskIds);
        if (tasks.length === 0) return [];
        const ofTasks = new Map((await referrals([...new Set(tasks.map((task) => task.referral_id))])).map((row) => [row.id, row]));
        return tasks.flatMap((task) => {
          const referral = ofTasks.get(task.referral_id);
          return referral ? [{ task, referral }] : [];
        });
      },
      ({ task, referral }) => toFhirTask(task, referral),
    ),
    DocumentReference: numberedSource('attachment', attachments, ({ patient_id, ...attachment }) => toDocumentReference(attachment, patient_id)),
    Binary: numberedSource(
      'attachment',
      async (ids) => {
        const rows = await attachments(ids);
        const contents = await db
          .selectFrom('attachment_content')
          .selectAll()
          .where('sha256', 'in', rows.length ? rows.map((row) => row.sha256) : [''])
          .execute();
        return rows.flatMap(({ patient_id: _patient, ...row }) => {
          const content = contents.find((candidate) => candidate.sha256 === row.sha256);
          return content ? [{ row, bytes: content.bytes }] : [];
        });
      },
      ({ row, bytes }) => toBinary(row, bytes),
    ),
  };
}
