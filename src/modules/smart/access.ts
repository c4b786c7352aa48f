// Live enforcement for SMART access tokens on /fhir: a token reads only its patient's records, and
// only types that are both in its scopes and covered by an active consent grant at the moment of the
// request — so a revocation in the portal cuts access on the very next read. Each decision on
// patient data is audited (who, which client, which patient, which type, decision) before it is
// answered, on the patient's access chain.
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import { auditGroupCommit } from '../audit/group-commit.js';
import { accessChain } from '../audit/repo.js';
import type { ConsentGate } from '../consent/gate.js';
import { accountsOfPatient } from '../directory/accounts.js';
import type { DirectoryLookup } from '../directory/lookup.js';
import type { SmartServer } from './provider.js';
import { parsePatientScope, scopesAllow } from './scopes.js';

export interface SmartContext {
  clientId: string;
  accountId: string;
  /** `Patient/<id>` */
  patient: string;
  scopes: string[];
}

interface AccessDecision {
  /** Why the read is refused; undefined when it is permitted. */
  refusal?: string;
  /** Settles once the decision's audit event is committed; nothing is answered before. */
  audited: Promise<void>;
}

export interface SmartAccess {
  /** The context of a live SMART access token for our FHIR base, or undefined. */
  verify(token: string): Promise<SmartContext | undefined>;
  /** Permits or refuses (with the reason) reading a type now, and audits the decision: the answer waits for `audited`. */
  decide(context: SmartContext, resourceType: string, interaction: 'read' | 'search'): Promise<AccessDecision>;
  /** Whether any type in the token's scopes is still consented (else the token is as good as revoked). */
  stillConsented(context: SmartContext): Promise<boolean>;
  /** After a revocation: ends the patient's grants to that client (and their tokens) that no consent covers any more. */
  revokeUnconsented(patientId: string, clientId: string): Promise<void>;
}

/** `consent` is the consent service's interface: in-process, or over HTTP when consent runs as its own service. */
export function smartAccess(deps: { smart: SmartServer; db: Kysely<Database>; consent: ConsentGate; directory: DirectoryLookup; clock: Clock }): SmartAccess {
  const { smart, db, consent, directory, clock } = deps;
  // Concurrent reads of one patient are audited together, one write per batch (audit/group-commit.ts).
  const accessLog = auditGroupCommit(db, clock);

  async function verify(token: string): Promise<SmartContext | undefined> {
    const accessToken = await smart.provider.AccessToken.find(token);
    if (!accessToken || accessToken.isExpired) return undefined;
    const audiences = ([] as unknown[]).concat(accessToken.aud ?? []);
    if (!audiences.includes(smart.fhirBase)) return undefined;
    const account = await directory.activePatientAccount(accessToken.accountId!);
    return (
      account && {
        clientId: accessToken.clientId!,
        accountId: account.username,
        patient: account.patientId,
        scopes: String(accessToken.scope ?? '')
          .split(' ')
          .filter(Boolean),
      }
    );
  }

  async function refusalOf(context: SmartContext, resourceType: string, interaction: 'read' | 'search'): Promise<string | undefined> {
    if (!scopesAllow(context.scopes, resourceType, interaction)) return `the token's scopes do not include ${interaction} of ${resourceType}`;
    const consented = await consent.evaluate({ patientId: context.patient, clientId: context.clientId, resourceTypes: [resourceType] });
    return consented.decision === 'permit' ? undefined : `the patient has not consented to share ${resourceType} with ${context.clientId}`;
  }

  async function decide(context: SmartContext, resourceType: string, interaction: 'read' | 'search'): Promise<AccessDecision> {
    const reason = await refusalOf(context, resourceType, interaction);
    const audited = accessLog.append({
      actor: `smart:${context.clientId}`,
      action: `fhir.${interaction}`,
      outcome: reason ? 'failure' : 'success',
      entityType: 'PatientData',
      entityId: context.patient,
      chain: accessChain(context.patient),
      detail: { clientId: context.clientId, patient: context.patient, resourceType, decision: reason ? 'deny' : 'permit', ...(reason && { reason }) },
    });
    // Nobody waits on this promise's failure until the answer does; it must not be reported as unhandled meanwhile.
    audited.catch(() => undefined);
    return { refusal: reason, audited };
  }

  async function stillConsented(context: SmartContext) {
    const scopedTypes = new Set(context.scopes.flatMap((scope) => parsePatientScope(scope)?.resourceType ?? []));
    const wildcard = scopedTypes.delete('*');
    if (wildcard && (await consent.consentedTypes({ patientId: context.patient, clientId: context.clientId })).length > 0) return true;
    if (scopedTypes.size === 0) return false;
    const result = await consent.evaluate({ patientId: context.patient, clientId: context.clientId, resourceTypes: [...scopedTypes] });
    return result.decisions.some((decision) => decision.decision === 'permit');
  }

  async function revokeUnconsented(patientId: string, clientId: string) {
    for (const username of await accountsOfPatient(db, patientId)) {
      for (const { grantId, scopes } of await smart.store.grantsOf(username, clientId, smart.fhirBase)) {
        if (!(await stillConsented({ clientId, accountId: username, patient: patientId, scopes }))) await smart.store.revokeGrant(grantId);
      }
    }
  }

  return { verify, decide, stillConsented, revokeUnconsented };
}
