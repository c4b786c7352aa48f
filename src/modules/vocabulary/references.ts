// FHIR references (`Organization/royal-london`) as the service writes and reads them.

export const organizationRef = (id: string) => `Organization/${id}`;
export const practitionerRef = (id: string) => `Practitioner/${id}`;

/** The id a reference ends in: `Organization/x` → `x`; undefined when it is not of that type. */
export const idIn = (type: string, reference: string) => (reference.startsWith(`${type}/`) ? reference.slice(type.length + 1) : undefined);
