// The clinician web app as a first-party client of this authorization server: a public client
// (authorization code with PKCE, no secret) whose redirect is the app's own page. Clinicians sign in
// with their directory account (practitioner_account) — no consent screen, the app being the
// service's own — and the app receives a JWT access token for /api (audience the API's, signed with
// this server's key; identity/tokens.ts trusts it), carrying the practitioner as `fhirUser`.
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { activePractitionerAccount, CLINICIAN_SUBJECT_PREFIX } from '../directory/practitioner-accounts.js';

export const CLINICIAN_APP_CLIENT_ID = 'referral-hub-web';
/** The scope the app asks for /api, besides openid. */
export const CLINICIAN_API_SCOPE = 'referrals';
/**
 * How long the app's access token for /api lives: briefly, since /api checks it without asking this
 * server (a password reset ends the refresh token at once, an access token within this time); the
 * app renews it with its refresh token.
 */
export const CLINICIAN_TOKEN_SECONDS = 600;
const CLINICIAN_APP_PATH = '/app';

/** The app's client registration. */
export function clinicianAppClient(publicBaseUrl: string) {
  return {
    client_id: CLINICIAN_APP_CLIENT_ID,
    client_name: 'Referral Hub for clinicians',
    redirect_uris: [`${publicBaseUrl}${CLINICIAN_APP_PATH}/callback`],
    post_logout_redirect_uris: [`${publicBaseUrl}${CLINICIAN_APP_PATH}/`],
    token_endpoint_auth_method: 'none' as const,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code' as const],
    id_token_signed_response_alg: 'ES256' as const,
  };
}

export const isClinicianApp = (clientId: unknown) => clientId === CLINICIAN_APP_CLIENT_ID;

/** The practitioner an OpenID Connect subject names, when it is a clinician's and they are still active. */
export async function clinicianOf(db: Kysely<Database>, sub: string) {
  if (!sub.startsWith(CLINICIAN_SUBJECT_PREFIX)) return undefined;
  return activePractitionerAccount(db, sub.slice(CLINICIAN_SUBJECT_PREFIX.length));
}

/** What a clinician's access token for /api carries besides the standard claims: who they are, as /api reads it. */
export async function clinicianTokenClaims(db: Kysely<Database>, token: { accountId?: string; kind: string }) {
  if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
  const clinician = await clinicianOf(db, token.accountId);
  return clinician && { fhirUser: clinician.practitionerId, roles: ['clinician'], name: clinician.name };
}

/** Where the web app signs clinicians in when no external provider is configured: here (paths on the app's own origin). */
export const OWN_SIGN_IN_PLACE = {
  authorizationEndpoint: '/oauth/auth',
  tokenEndpoint: '/oauth/token',
  clientId: CLINICIAN_APP_CLIENT_ID,
  scope: `openid offline_access ${CLINICIAN_API_SCOPE}`,
};
