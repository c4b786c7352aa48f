// The referral service: every use case of the workflow guide, over one set of dependencies.
import { createAdviceUseCases } from './advice.js';
import { createAdviceAttachmentUseCases } from './advice-attachments.js';
import { createAttachmentUseCases } from './attachments.js';
import { createChoicesUseCase } from './choices.js';
import type { ReferralDeps } from './deps.js';
import { createDraftUseCases } from './drafts.js';
import { createLifecycleUseCases } from './lifecycle.js';
import { createMoveUseCases } from './moves.js';
import { createQueryUseCases } from './queries.js';
import { createSendUseCase } from './send.js';
import { createTaskUseCases } from './tasks.js';
import { createWorklistUseCases } from './worklist-queries.js';

export function createReferralService(deps: ReferralDeps) {
  const { createReferral, editDraft } = createDraftUseCases(deps);
  return {
    createReferral,
    editDraft,
    ...createSendUseCase(deps),
    ...createLifecycleUseCases(deps),
    ...createMoveUseCases(deps),
    ...createTaskUseCases(deps),
    ...createQueryUseCases(deps),
    ...createAttachmentUseCases(deps),
    ...createAdviceUseCases(deps),
    ...createAdviceAttachmentUseCases(deps),
    ...createWorklistUseCases(deps),
    ...createChoicesUseCase(deps),
  };
}

export type ReferralService = ReturnType<typeof createReferralService>;
