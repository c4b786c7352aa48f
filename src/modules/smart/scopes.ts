// SMART App Launch scopes: `patient/<Type>.read` (v1) and `patient/<Type>.rs` (v2, any of c r u d s
// in order), `*` for every type. What a scope lets a token read, and the scopes a consent narrows to.
import { FHIR_R4_RESOURCE_TYPES } from '../vocabulary/resource-types.js';

const PATIENT_SCOPE = /^patient\/(\*|[A-Z][A-Za-z]+)\.(read|\*|c?r?u?d?s?)$/;
export const IDENTITY_SCOPES = ['openid', 'fhirUser', 'launch/patient', 'offline_access'];

export interface PatientScope {
  resourceType: string;
  read: boolean;
  search: boolean;
}

export function parsePatientScope(scope: string): PatientScope | undefined {
  const match = PATIENT_SCOPE.exec(scope);
  if (!match || match[2] === '') return undefined;
  const [, resourceType, permissions] = match as unknown as [string, string, string];
  const all = permissions === 'read' || permissions === '*';
  return { resourceType: resourceType!, read: all || permissions.includes('r'), search: all || permissions.includes('s') };
}

/** May a token with these scopes read (or search) this type? */
export function scopesAllow(scopes: string[], resourceType: string, interaction: 'read' | 'search'): boolean {
  return scopes.some((scope) => {
    const parsed = parsePatientScope(scope);
    return parsed && (parsed.resourceType === '*' || parsed.resourceType === resourceType) && parsed[interaction];
  });
}

/** The resource types requested scopes name; `*` means those the app asks for when registered. */
export function requestedTypes(scopes: string[], registeredTypes: string[]): string[] {
  const types = scopes
    .map(parsePatientScope)
    .filter((scope): scope is PatientScope => scope !== undefined)
    .flatMap((scope) => (scope.resourceType === '*' ? registeredTypes : [scope.resourceType]));
  return [...new Set(types)].filter((type) => FHIR_R4_RESOURCE_TYPES.has(type));
}

/** Each `patient/*.<permissions>` as that scope for each of `types`; other scopes as they are. */
export function expandWildcardScopes(scopes: string[], types: string[]): string[] {
  return [
    ...new Set(
      scopes.flatMap((scope) => {
        if (parsePatientScope(scope)?.resourceType !== '*') return [scope];
        const permissions = scope.slice(scope.indexOf('.'));
        return types.map((type) => `patient/${type}${permissions}`);
      }),
    ),
  ];
}

/** The requested scopes, narrowed to the identity scopes and the types the patient allowed. */
export function narrowedScopes(scopes: string[], allowedTypes: string[]): string[] {
  return scopes.flatMap((scope) => {
    if (IDENTITY_SCOPES.includes(scope)) return [scope];
    const parsed = parsePatientScope(scope);
    if (!parsed) return [];
    if (parsed.resourceType !== '*') return allowedTypes.includes(parsed.resourceType) ? [scope] : [];
    const suffix = scope.slice(scope.indexOf('.'));
    return allowedTypes.map((type) => `patient/${type}${suffix}`);
  });
}

/** Every patient scope this server understands, for the resource server's scope list. */
export function allPatientScopes(): string {
  const types = ['*', ...FHIR_R4_RESOURCE_TYPES];
  return types.flatMap((type) => ['read', 'rs', 'r', 's', 'cruds', '*'].map((permissions) => `patient/${type}.${permissions}`)).join(' ');
}
