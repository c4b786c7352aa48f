// Named prepared statements on PostgreSQL: a repeated statement is prepared once per connection,
// answers stay right, and a connection never holds more than its bound of prepared statements.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { prepareStatementsOn } from './prepared-statements.js';

const url = process.env.TEST_DATABASE_URL;

describe('prepared statements on PostgreSQL', { skip: !url && 'set TEST_DATABASE_URL to run on PostgreSQL' }, () => {
  let client: pg.Client;
  const prepared = async () => (await client.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'rh\\_%'`)).rows[0].n as number;
  before(async () => {
    client = new pg.Client({ connectionString: url });
    await client.connect();
    prepareStatementsOn(client);
  });
  after(() => client.end());

  it('prepares a repeated parameterised statement once and answers each call with its own values', async () => {
    for (const value of [1, 2, 3]) assert.equal((await client.query('SELECT $1::int * 10 AS n', [value])).rows[0].n, value * 10);
    assert.equal(await prepared(), 1);
    await client.query('SELECT 1');
    assert.equal(await prepared(), 1, 'a statement without parameters is not prepared');
  });

  it('stops preparing new statements at 500 per connection, and still runs them', async () => {
    for (let i = 0; i < 600; i++) assert.equal((await client.query(`SELECT $1::int + ${i} AS n`, [1])).rows[0].n, i + 1);
    assert.equal(await prepared(), 500);
  });
});
