// Reads referrals and tasks as the ServiceRequests and Tasks the FHIR mirror delivers.
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { numberedSource, type MirrorSources } from '../vocabulary/record-sources.js';
import { toFhirTask, toServiceRequest } from './fhir-resources.js';
import { findTasksWithNotes } from './task-repo.js';

export function referralMirrorSources(db: Kysely<Database>, baseUrl: string): MirrorSources {
  const referrals = (ids: number[]) => db.selectFrom('referral').selectAll().where('id', 'in', ids).execute();
  return {
    ServiceRequest: numberedSource('referral', referrals, (row) => toServiceRequest(row, baseUrl)),
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
  };
}
