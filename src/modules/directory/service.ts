// The directory service: its administration use cases (organisations, practitioners and roles,
// facility apps, patients' and practitioners' accounts, import) over one set of dependencies, used alike by /api/admin and
// by `npm run admin`.
import { createAppUseCases } from './apps.js';
import { createImportUseCase } from './import.js';
import { createPatientAccountUseCases } from './patient-accounts.js';
import { createPractitionerAccountUseCases } from './practitioner-accounts.js';
import { createRecordUseCases, type DirectoryDeps } from './records.js';

/** `changed` is told after every administration call (once its transaction has ended), so what this process keeps of the directory is forgotten at once. */
export function createDirectoryService(deps: DirectoryDeps & { publicBaseUrl: string; changed?: () => void }) {
  const useCases = {
    ...createRecordUseCases(deps),
    ...createAppUseCases(deps),
    ...createPatientAccountUseCases(deps),
    ...createPractitionerAccountUseCases(deps),
    ...createImportUseCase(deps),
  };
  return deps.changed ? thenTelling(useCases, deps.changed) : useCases;
}

/** The same use cases, each telling `changed` once it has finished, however it ended. */
function thenTelling<T extends Record<string, (...args: never[]) => Promise<unknown>>>(useCases: T, changed: () => void): T {
  const told = Object.entries(useCases).map(([name, useCase]) => [name, (...args: never[]) => useCase(...args).finally(changed)]);
  return Object.fromEntries(told) as T;
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;
