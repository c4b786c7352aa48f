// Named prepared statements for node-postgres: each distinct parameterised statement is parsed and
// planned once per connection instead of on every call, which is most of PostgreSQL's work for
// the short statements of a workflow transition.
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Beyond this many distinct statements on one connection, further ones run unnamed (no growth without bound). */
const STATEMENTS_PER_CONNECTION = 500;

/**
 * Put in a statement whose best plan depends on its values and on the table's size now (a batch
 * taken from a queue that may have been empty when first planned): it runs unnamed, planned on
 * every call, so no generic plan made once can outlive the data it was made for.
 */
export const PLANNED_EACH_CALL = '/* planned each call */';

/** Makes `client` send each parameterised query as a named statement, named by the hash of its text. */
export function prepareStatementsOn(client: pg.ClientBase): void {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name && names.size < STATEMENTS_PER_CONNECTION) {
      name = `rh_${createHash('sha1').update(text).digest('base64url')}`;
      names.set(text, name);
    }
    return name;
  };
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((text: unknown, values?: unknown, ...rest: unknown[]) => {
    const prepared = typeof text === 'string' && Array.isArray(values) && values.length > 0 && rest.length === 0 && !text.includes(PLANNED_EACH_CALL);
    const name = prepared ? nameOf(text) : undefined;
    return name ? query({ name, text, values }) : query(text, values, ...rest);
  }) as typeof client.query;
}
