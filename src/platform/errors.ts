// The one catalogue of errors: each has an HTTP status and a stable `code` that clients can rely on.
// Surfaces render them (JSON for /api); nothing else decides a status.

export type ErrorDetails = Record<string, unknown>;

/** Every `code` an error of this service can carry: the enum of the OpenAPI document's error body. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'VALIDATION_FAILED',
  'BAD_REQUEST',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
  'INVALID_TRANSITION',
  'REFERRAL_NOT_EDITABLE',
  'REFERRAL_ON_HOLD',
  'ACTION_NOT_AVAILABLE',
  'VERSION_CONFLICT',
  'REFERRAL_BUSY',
  'IDEMPOTENCY_KEY_REUSED',
  'CONSENT_GATE_FAILED',
  'CONSENT_SERVICE_UNAVAILABLE',
  'NOT_SIGNED_IN',
  'PRACTITIONER_NOT_IN_DIRECTORY',
  'ADMINISTRATOR_NOT_IN_DIRECTORY',
  'REQUESTER_NOT_CALLER',
  'NOT_A_REFERRER_OF_ORGANISATION',
  'ORGANISATION_NOT_IN_DIRECTORY',
  'ORGANISATION_INACTIVE',
  'ORGANISATION_CYCLE',
  'RECEIVING_ORGANISATION_MISMATCH',
  'FACILITY_APP_NOT_REGISTERED',
  'FACILITY_APP_NOT_OF_RECEIVING_ORGANISATION',
  'FACILITY_APP_INACTIVE',
  'FACILITY_APP_AMBIGUOUS',
  'NO_FACILITY_APP',
  'PUBLIC_APP_HAS_NO_SECRET',
  'ALREADY_IN_DIRECTORY',
  'ALREADY_BOOTSTRAPPED',
  'ACCOUNT_DISABLED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const unauthenticated = (message = 'A valid bearer token is required') => new AppError(401, 'UNAUTHENTICATED', message);

export const forbidden = (message: string) => new AppError(403, 'FORBIDDEN', message);

export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} was not found`);

export const validationFailed = (field: string, message: string) => new AppError(400, 'VALIDATION_FAILED', `${field}: ${message}`, { field });

export const invalidTransition = (entity: string, from: string, to: string) =>
  new AppError(409, 'INVALID_TRANSITION', `${entity} cannot move from ${from} to ${to}`, { from, to });

export const referralNotEditable = (status: string) =>
  new AppError(409, 'REFERRAL_NOT_EDITABLE', `Only a DRAFT referral can be edited; this one is ${status}`, { status });

export const referralOnHold = () => new AppError(409, 'REFERRAL_ON_HOLD', 'The referral is on hold: resume it before updating its task');

/** An action the referral's state rules out, where no single status move says why. */
export const actionNotAvailable = (action: string, why: string) =>
  new AppError(409, 'ACTION_NOT_AVAILABLE', `Cannot ${action} this referral: ${why}`, { action });

export const versionConflict = (expected: string, current: string) =>
  new AppError(412, 'VERSION_CONFLICT', `If-Match ${expected} does not match the current version ${current}; reload and try again`, { currentETag: current });

export const referralBusy = () =>
  new AppError(409, 'REFERRAL_BUSY', 'The referral kept changing while this change was being made; nothing was written, try again');

export const idempotencyKeyReused = () => new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request');

export const consentGateFailed = (message: string, missingResourceTypes: string[], consentPortalUrl: string) =>
  new AppError(422, 'CONSENT_GATE_FAILED', message, { missingResourceTypes, consentPortalUrl });

export const consentServiceUnavailable = (reason: string) =>
  new AppError(503, 'CONSENT_SERVICE_UNAVAILABLE', `The consent service could not be reached: ${reason}`);

/** A rule of the directory broken by a request: who may act, and which organisations and apps fit together. */
export const directoryRuleBroken = (status: 403 | 404 | 409 | 422, code: ErrorCode, message: string, field?: string) =>
  new AppError(status, code, message, field ? { field } : {});
