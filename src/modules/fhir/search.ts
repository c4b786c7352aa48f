// FHIR search on the embedded store, translated to SQL over the indexed columns: _id, patient,
// subject, status, identifier and _lastUpdated, sorted by _lastUpdated or _id, paged with _count
// and _offset. Any other parameter is refused with 400 rather than silently ignored.
import '../../platform/node-globals.js';
import {
  badRequest,
  DEFAULT_MAX_SEARCH_COUNT,
  DEFAULT_SEARCH_COUNT,
  type Filter,
  formatSearchQuery,
  OperationOutcomeError,
  type SearchRequest,
} from '@medplum/core';
import type { Bundle, BundleLink } from '@medplum/fhirtypes';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../../database.js';
import { asResource } from './resource-content.js';

type Where = ExpressionBuilder<Database, 'fhir_resource'>;
type Condition = (eb: Where) => Expression<SqlBool>;

export const SUPPORTED_SEARCH_PARAMETERS = ['_id', 'patient', 'subject', 'status', 'identifier', '_lastUpdated'] as const;

export async function searchStore(db: Kysely<Database>, request: SearchRequest, fhirBaseUrl: string): Promise<Bundle> {
  const count = Math.min(pagingNumber('_count', request.count ?? DEFAULT_SEARCH_COUNT), DEFAULT_MAX_SEARCH_COUNT);
  const offset = pagingNumber('_offset', request.offset ?? 0);
  const conditions = (request.filters ?? []).map(conditionFor);
  const matching = db
    .selectFrom('fhir_resource')
    .where('resource_type', '=', request.resourceType)
    .where('deleted', '=', false)
    .where((eb) => eb.and(conditions.map((condition) => condition(eb))));
  const descending = request.sortRules?.[0]?.descending ?? false;
  const rows = await matching
    .select('content')
    .orderBy(sortKey(request), descending ? 'desc' : 'asc')
    .orderBy('id', descending ? 'desc' : 'asc')
    .offset(offset)
    .limit(count + 1)
    .execute();
  const total = request.total === 'none' ? undefined : Number((await matching.select(sql<number>`count(*)`.as('total')).executeTakeFirstOrThrow()).total);
  const page = rows.slice(0, count);
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total !== undefined && { total }),
    link: pageLinks(request, fhirBaseUrl, { offset, count, hasNext: rows.length > count }),
    entry: page.map((row) => {
      const resource = asResource(row.content);
      return { fullUrl: `${fhirBaseUrl}/${resource.resourceType}/${resource.id}`, search: { mode: 'match' }, resource };
    }),
  };
}

/** `_count` and `_offset` are whole numbers, zero or more. */
function pagingNumber(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new OperationOutcomeError(badRequest(`${name} must be a whole number, zero or more`, name));
  return value;
}

function conditionFor(filter: Filter): Condition {
  const values = filter.value.split(',').filter(Boolean);
  switch (filter.code) {
    case '_id':
      return equalsOnly(filter, (eb) => eb('id', 'in', values));
    case 'patient':
      return equalsOnly(filter, (eb) =>
        overlaps(
          eb,
          'compartments',
          values.map((value) => (value.includes('/') ? value : `Patient/${value}`)),
        ),
      );
    case 'subject':
      return equalsOnly(filter, (eb) => overlaps(eb, 'compartments', values));
    case 'status':
      return equalsOnly(filter, (eb) =>
        overlaps(
          eb,
          'statuses',
          values.map((value) => value.split('|').pop()!),
        ),
      );
    case 'identifier':
      return equalsOnly(filter, (eb) =>
        overlaps(
          eb,
          'identifiers',
          values.map((value) => (value.startsWith('|') ? value.slice(1) : value)),
        ),
      );
    case '_lastUpdated':
      return lastUpdated(filter);
    default:
      throw new OperationOutcomeError(
        badRequest(`Search parameter ${filter.code} is not supported here; supported: ${SUPPORTED_SEARCH_PARAMETERS.join(', ')}`, filter.code),
      );
  }
}

function equalsOnly(filter: Filter, condition: Condition): Condition {
  if (filter.operator !== 'eq')
    throw new OperationOutcomeError(badRequest(`Search parameter ${filter.code} does not support the ${filter.operator} modifier here`, filter.code));
  return condition;
}

function overlaps(eb: Where, column: 'compartments' | 'statuses' | 'identifiers', values: string[]) {
  return eb(eb.ref(column), '&&', sql<string[]>`${values}::text[]`);
}

/** `_lastUpdated=2026-11-25` means that whole day; `gt`, `ge`, `lt`, `le`, `sa`, `eb` compare with it. */
function lastUpdated(filter: Filter): Condition {
  const range = dateRange(filter.value);
  if (!range) throw new OperationOutcomeError(badRequest(`_lastUpdated: "${filter.value}" is not a FHIR date or dateTime`, '_lastUpdated'));
  const [start, end] = range;
  switch (filter.operator) {
    case 'eq':
      return (eb) => eb.and([eb('last_updated', '>=', start), eb('last_updated', '<', end)]);
    case 'ne':
      return (eb) => eb.or([eb('last_updated', '<', start), eb('last_updated', '>=', end)]);
    case 'gt':
    case 'sa':
      return (eb) => eb('last_updated', '>=', end);
    case 'ge':
      return (eb) => eb('last_updated', '>=', start);
    case 'lt':
    case 'eb':
      return (eb) => eb('last_updated', '<', start);
    case 'le':
      return (eb) => eb('last_updated', '<', end);
    default:
      throw new OperationOutcomeError(badRequest(`_lastUpdated does not support the ${filter.operator} prefix`, '_lastUpdated'));
  }
}

/** The instants a FHIR date or dateTime of any precision covers: [start, end). */
function dateRange(value: string): [Date, Date] | undefined {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(T.+)?)?)?$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, time] = match;
  const start = new Date(time ? value : `${year}-${month ?? '01'}-${day ?? '01'}T00:00:00Z`);
  if (Number.isNaN(start.getTime())) return undefined;
  const end = new Date(start);
  if (time) end.setTime(start.getTime() + (time.includes('.') ? 1 : 1000));
  else if (day) end.setUTCDate(end.getUTCDate() + 1);
  else if (month) end.setUTCMonth(end.getUTCMonth() + 1);
  else end.setUTCFullYear(end.getUTCFullYear() + 1);
  return [start, end];
}

/**
 * The sort column. An identifier search matches a handful of rows, but the planner cannot know that
 * from array statistics and would walk the _lastUpdated index until it found them (50 ms on 100k
 * rows); sorting by an expression makes it use the identifier index and sort the few matches.
 */
function sortKey(request: SearchRequest) {
  const [rule, ...more] = request.sortRules ?? [];
  if (rule && (more.length > 0 || !['_lastUpdated', '_id'].includes(rule.code))) {
    throw new OperationOutcomeError(badRequest('_sort: this server sorts by one of _lastUpdated or _id', '_sort'));
  }
  const column = rule?.code === '_id' ? 'id' : 'last_updated';
  const selective = (request.filters ?? []).some((filter) => filter.code === 'identifier');
  if (!selective) return column;
  return column === 'id' ? sql<string>`id || ''` : sql<Date>`last_updated + interval '0 seconds'`;
}

function pageLinks(request: SearchRequest, fhirBaseUrl: string, page: { offset: number; count: number; hasNext: boolean }): BundleLink[] {
  const url = (offset: number) => `${fhirBaseUrl}/${request.resourceType}${formatSearchQuery({ ...request, offset, count: page.count })}`;
  return [
    { relation: 'self', url: url(page.offset) },
    ...(page.hasNext ? [{ relation: 'next', url: url(page.offset + page.count) }] : []),
    ...(page.offset > 0 ? [{ relation: 'previous', url: url(Math.max(0, page.offset - page.count)) }] : []),
  ];
}
