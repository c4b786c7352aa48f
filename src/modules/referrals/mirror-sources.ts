// Reads referrals and tasks as the ServiceRequest and Task the FHIR mirror delivers.
import type { Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database } from '../../platform/schema.js';
import { numberAfter, type MirrorSources } from '../mirror/sources.js';
import { toFhirTask, toServiceRequest } from './fhir-resources.js';
import { findReferral } from './repo.js';

export function referralMirrorSources(db: Kysely<Database>, baseUrl: string): MirrorSources {
  return {
    async ServiceRequest(id) {
      const referralId = numberAfter('referral-', id);
      const row = referralId && (await findReferral(db, referralId));
      return row ? toServiceRequest(row, baseUrl) : undefined;
    },
    async Task(id) {
      const taskId = numberAfter('referral-task-', id);
      if (!taskId) return undefined;
      const task = await db
        .selectFrom('referral_task')
        .selectAll()
        .select((eb) => jsonArrayFrom(eb.selectFrom('task_note').selectAll().whereRef('task_note.task_id', '=', 'referral_task.id').orderBy('task_note.id')).as('notes'))
        .where('id', '=', taskId)
        .executeTakeFirst();
      const referral = task && (await findReferral(db, task.referral_id));
      if (!task || !referral) return undefined;
      return toFhirTask({ ...task, notes: task.notes.map((note) => ({ ...note, created_at: new Date(note.created_at) })) }, referral);
    },
  };
}
