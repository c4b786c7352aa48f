// Opaque paging cursors: a position in a sorted list, base64url-encoded JSON.
import { validationFailed } from './errors.js';

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor; 400 naming query.cursor when it is not one. */
export function decodeCursor<T>(cursor: string, isPosition: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!isPosition(value)) throw validationFailed('query.cursor', 'is not a cursor this API returned');
  return value;
}

/** Splits a page fetched with limit + 1 rows into the page and the cursor to the next one. */
export function pageOf<Row, Item>(rows: Row[], limit: number, view: (row: Row) => Item, positionOf: (row: Row) => unknown) {
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(positionOf(items[items.length - 1]!)) : null;
  return { items: items.map(view), nextCursor };
}
