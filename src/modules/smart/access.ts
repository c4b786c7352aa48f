// Live enforcement for SMART access tokens on /fhir: a token reads only its patient's records, and
// only types that are both in its scopes and covered by an active consent grant at the moment of the
// request — so a revocation in the portal cuts access on the very next read. Each decision on
// patient data is audited (which client, which patient, which type, decision) before it is
// answered, in the patient's access log.
import type { Kysely } from 'kysely';
import type { AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import { auditGroupCommit } from '../audit/group-commit.js';
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

/** What a verified access token grants: to which app, for which signed-in account, with which scopes. */
interface TokenGrant {
  clientId: string;
  accountId: string;
  scopes: string[];
}

/** A stored payload the provider would still take: its `exp` (seconds, the provider's clock) not reached. */
const unexpired = (payload: AdapterPayload | undefined) => typeof payload?.exp !== 'number' || payload.exp > Date.now() / 1000;

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

  const storedTokens = new smart.store.Adapter('AccessToken');
  const storedSessions = new smart.store.Adapter('Session');
  /**
   * What the provider made of a stored token, remembered while the store keeps the very payloads it
   * was verified against (the store replaces one as soon as it changes anywhere) and neither expired.
   */
  const verified = new WeakMap<AdapterPayload, { session: AdapterPayload | undefined; grant: TokenGrant }>();

  async function verify(token: string): Promise<SmartContext | undefined> {
    const stored = await storedTokens.find(token);
    if (!stored) return undefined;
    const session = (stored.expiresWithSession && (await storedSessions.findByUid(String(stored.sessionUid)))) || undefined;
    const known = verified.get(stored);
    const fresh = known && known.session === session && [stored, session].every(unexpired);
    const grant = fresh ? known.grant : await grantOf(token);
    if (!fresh && grant) verified.set(stored, { session, grant });
    const account = grant && (await directory.activePatientAccount(grant.accountId));
    return account && { clientId: grant.clientId, accountId: account.username, patient: account.patientId, scopes: grant.scopes };
  }

  /** What a live access token for our FHIR base grants, as the provider judges it (expiry, its sign-in session, audience). */
  async function grantOf(token: string): Promise<TokenGrant | undefined> {
    const accessToken = await smart.provider.AccessToken.find(token);
    if (!accessToken || accessToken.isExpired) return undefined;
    const audiences = ([] as unknown[]).concat(accessToken.aud ?? []);
    if (!audiences.includes(smart.fhirBase)) return undefined;
    const scopes = String(accessToken.scope ?? '')
      .split(' ')
      .filter(Boolean);
    return { clientId: accessToken.clientId!, accountId: accessToken.accountId!, scopes };
  }

  async function refusalOf(context: SmartContext, resourceType: string, interaction: 'read' | 'search'): Promise<string | undefined> {
    if (!scopesAllow(context.scopes, resourceType, interaction)) return `the token's scopes do not include ${interaction} of ${resourceType}`;
    const consented = await consent.evaluate({ patientId: context.patient, clientId: context.clientId, resourceTypes: [resourceType] });
    return consented.decision === 'permit' ? undefined : `the patient has not consented to share ${resourceType} with ${context.clientId}`;
  }

  async function decide(context: SmartContext, resourceType: string, interaction: 'read' | 'search'): Promise<AccessDecision> {
    const reason = await refusalOf(context, resourceType, interaction);
    const audited = accessLog.append({
      at: clock.now().toISOString(),
      clientId: context.clientId,
      patient: context.patient,
      resourceType,
      interaction,
      decision: reason ? 'deny' : 'permit',
      ...(reason && { reason }),
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
