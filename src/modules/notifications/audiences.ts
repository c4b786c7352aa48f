// Whose events a caller is told: each organisation it refers for (its referring side) and receives
// for (its receiving side), as the directory has them in the caller's token.
import { organizationsWhere, type Caller } from '../identity/caller.js';
import type { Recipient } from './record.js';

export function audiencesOf(caller: Caller): Recipient[] {
  return [
    ...organizationsWhere(caller, 'referrer').map((organisation) => ({ organisation, side: 'referring' as const })),
    ...organizationsWhere(caller, 'receiver').map((organisation) => ({ organisation, side: 'receiving' as const })),
  ];
}
