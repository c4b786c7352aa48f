// Reads referrals and tasks as the ServiceRequests and Tasks the FHIR mirror delivers.
import type { Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database } from '../../platform/schema.js';
import { byId, numbersAfter, type MirrorSources } from '../mirror/sources.js';
import { toFhirTask, toServiceRequest } from './fhir-resources.js';

export function referralMirrorSources(db: Kysely<Database>, baseUrl: string): MirrorSources {
  const referralsById = async (ids: number[]) =>
    new Map(ids.length === 0 ? [] : (await db.selectFrom('referral').selectAll().where('id', 'in', ids).execute()).map((row) => [row.id, row]));
  return {
    async ServiceRequest(ids) {
      const referrals = await referralsById(numbersAfter('referral-', ids));
      return byId([...referrals.values()].map((row) => toServiceRequest(row, baseUrl)));
    },
    async Task(ids) {
      const taskIds = numbersAfter('referral-task-', ids);
      if (taskIds.length === 0) return new Map();
      const tasks = await db
        .selectFrom('referral_task')
        .selectAll()
        .select((eb) => jsonArrayFrom(eb.selectFrom('task_note').selectAll().whereRef('task_note.task_id', '=', 'referral_task.id').orderBy('task_note.id')).as('notes'))
        .where('id', 'in', taskIds)
        .execute();
      const referrals = await referralsById([...new Set(tasks.map((task) => task.referral_id))]);
      return byId(
        tasks.flatMap((task) => {
          const referral = referrals.get(task.referral_id);
          const notes = task.notes.map((note) => ({ ...note, created_at: new Date(note.created_at) }));
          return referral ? [toFhirTask({ ...task, notes }, referral)] : [];
        }),
      );
    },
  };
}
