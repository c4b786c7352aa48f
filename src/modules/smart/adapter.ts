// Storage for the authorization server, in the database: clients are read from the smart_client
// table (a client registered there is known at once, a deactivated one is unknown); sessions, interactions, codes, grants and
// tokens are rows of oauth_payload that expire with their TTL — so they survive restarts and any
// process can serve /oauth. Access tokens and the sign-in sessions they are bound to, both looked up
// on every /fhir read, are kept between requests (platform/notified-cache.ts): every write or deletion
// of one announces itself on `smart_tokens_changed` in its own statement, and a revocation by grant
// forgets them all. What is kept is the stored payload; the provider still checks its expiry.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { NotifiedCache } from '../../platform/notified-cache.js';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Database } from '../../database.js';
import type { DirectoryLookup } from '../directory/lookup.js';

export interface SmartStore {
  Adapter: new (model: string) => Adapter;
  /** The patient's grants to a client: their ids and the scopes they hold for `resource`. */
  grantsOf(accountId: string, clientId: string, resource: string): Promise<{ grantId: string; scopes: string[] }[]>;
  /** Ends a grant and every code and token issued under it. */
  revokeGrant(grantId: string): Promise<void>;
}

/** Every this many writes, rows past their expiry are deleted. */
const PURGE_EVERY = 200;

export const SMART_TOKENS_CHANGED = 'smart_tokens_changed';

export type AccessTokenCache = NotifiedCache<AdapterPayload | undefined>;

export const accessTokenCache = (): AccessTokenCache => new NotifiedCache<AdapterPayload | undefined>();

type LookedUpBy = 'id' | 'uid' | 'user_code';

/** The payloads kept between requests and the column each is looked up by; kept and announced as `<model>:<value>`. */
const KEPT: Partial<Record<string, LookedUpBy>> = { AccessToken: 'id', Session: 'uid' };

/** The key a write of this model's row announces, as SQL over the written row; undefined for models not kept. */
function announcedKey(model: string): RawBuilder<string | null> | undefined {
  const column = KEPT[model];
  return column && sql<string | null>`${`${model}:`} || ${sql.ref(column)}`;
}

export function smartStore(db: Kysely<Database>, directory: DirectoryLookup, accessTokens?: AccessTokenCache): SmartStore {
  const live = sql<boolean>`(expires_at IS NULL OR expires_at > now())`;
  let writes = 0;

  /**
   * Runs a write that may change kept payloads, announcing it in the same statement: `write` returns
   * the key of each payload it changed (a null key: everything kept may have changed).
   */
  async function changingKept(write: RawBuilder<unknown>): Promise<void> {
    let keys: (string | null)[] = [null];
    try {
      const { rows } = await sql<{ key: string | null }>`WITH changed AS (${write})
        SELECT key, pg_notify(${SMART_TOKENS_CHANGED}, coalesce(key, '')) FROM (SELECT DISTINCT key FROM changed) AS announced`.execute(db);
      keys = rows.map((row) => row.key);
    } finally {
      keys.forEach((key) => accessTokens?.changed(key ?? undefined));
    }
  }

  const Adapter = class implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const row = {
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      const write = db
        .insertInto('oauth_payload')
        .values({ model: this.model, id, ...row })
        .onConflict((c) => c.columns(['model', 'id']).doUpdateSet(row));
      const key = announcedKey(this.model);
      if (key) await changingKept(sql`${write.returning(key.as('key'))}`);
      else await write.execute();
      if (++writes % PURGE_EVERY === 0)
        await db
          .deleteFrom('oauth_payload')
          .where('expires_at', '<', sql<Date>`now()`)
          .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clientMetadata(directory, id);
      return this.lookUp('id', id);
    }

    findByUid(uid: string) {
      return this.lookUp('uid', uid);
    }

    findByUserCode(userCode: string) {
      return this.lookUp('user_code', userCode);
    }

    async consume(id: string): Promise<void> {
      await db
        .updateTable('oauth_payload')
        .set({ payload: sql`payload || jsonb_build_object('consumed', extract(epoch from now())::bigint)` })
        .where('model', '=', this.model)
        .where('id', '=', id)
        .execute();
    }

    async destroy(id: string): Promise<void> {
      const key = announcedKey(this.model);
      if (key) await changingKept(sql`DELETE FROM oauth_payload WHERE model = ${this.model} AND id = ${id} RETURNING ${key} AS key`);
      else await db.deleteFrom('oauth_payload').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await changingKept(sql`DELETE FROM oauth_payload WHERE grant_id = ${grantId} RETURNING NULL::text AS key`);
    }

    private lookUp(column: LookedUpBy, value: string): Promise<AdapterPayload | undefined> {
      if (accessTokens && KEPT[this.model] === column) return accessTokens.get(`${this.model}:${value}`, () => this.findWhere(column, value));
      return this.findWhere(column, value);
    }

    private async findWhere(column: LookedUpBy, value: string): Promise<AdapterPayload | undefined> {
      const row = await db
        .selectFrom('oauth_payload')
        .select('payload')
        .where('model', '=', this.model)
        .where(column, '=', value)
        .where(live)
        .executeTakeFirst();
      return row?.payload as AdapterPayload | undefined;
    }
  };

  return {
    Adapter,
    async grantsOf(accountId, clientId, resource) {
      const rows = await db
        .selectFrom('oauth_payload')
        .select(['id', 'payload'])
        .where('model', '=', 'Grant')
        .where(sql<string>`payload->>'accountId'`, '=', accountId)
        .where(sql<string>`payload->>'clientId'`, '=', clientId)
        .where(live)
        .execute();
      return rows.map((row) => ({
        grantId: row.id,
        scopes: String((row.payload.resources as Record<string, string> | undefined)?.[resource] ?? '')
          .split(' ')
          .filter(Boolean),
      }));
    },
    async revokeGrant(grantId) {
      await changingKept(sql`DELETE FROM oauth_payload WHERE grant_id = ${grantId} OR (model = 'Grant' AND id = ${grantId}) RETURNING NULL::text AS key`);
    },
  };
}

/** What the authorization server keeps of a sign-in, by the account it signed in. */
const SIGN_IN_MODELS = ['Session', 'Grant', 'AuthorizationCode', 'RefreshToken'];

/**
 * Deletes every sign-in of an account (sessions, grants, codes, refresh tokens) inside `tx`,
 * announcing each session it ends: the kept ones are forgotten when `tx` commits, and the access
 * tokens bound to them fail their next lookup.
 */
export async function deleteSignInsOf(tx: Kysely<Database>, accountId: string): Promise<void> {
  await sql`WITH ended AS (
      DELETE FROM oauth_payload WHERE model IN (${sql.join(SIGN_IN_MODELS)}) AND payload->>'accountId' = ${accountId} RETURNING model, uid)
    SELECT pg_notify(${SMART_TOKENS_CHANGED}, ${announcedKey('Session')}) FROM ended WHERE model = 'Session'`.execute(tx);
}

async function clientMetadata(directory: DirectoryLookup, clientId: string): Promise<AdapterPayload | undefined> {
  const client = await directory.appRegistration(clientId);
  return (
    client && {
      client_id: client.clientId,
      client_name: client.name,
      redirect_uris: client.redirectUris,
      ...(client.clientSecret
        ? { token_endpoint_auth_method: 'client_secret_basic', client_secret: client.clientSecret }
        : { token_endpoint_auth_method: 'none' }),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
    }
  );
}
