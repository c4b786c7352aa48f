// The directory service: its administration use cases (organisations, practitioners and roles,
// facility apps, patient accounts, import) over one set of dependencies, used alike by /api/admin and
// by `npm run admin`.
import { createAppUseCases } from './apps.js';
import { createImportUseCase } from './import.js';
import { createPatientAccountUseCases } from './patient-accounts.js';
import { createRecordUseCases, type DirectoryDeps } from './records.js';

export function createDirectoryService(deps: DirectoryDeps & { publicBaseUrl: string }) {
  return {
    ...createRecordUseCases(deps),
    ...createAppUseCases(deps),
    ...createPatientAccountUseCases(deps),
    ...createImportUseCase(deps),
  };
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;
