// Storage for the authorization server, in the database: clients are read from the smart_client
// table (a client registered there is known at once, a deactivated one is unknown); sessions, interactions, codes, grants and
// tokens are rows of oauth_payload that expire with their TTL — so they survive restarts and any
// process can serve /oauth. Access tokens, looked up on every /fhir read, are kept between requests
// (platform/notified-cache.ts): every write or deletion of one announces itself on
// `smart_tokens_changed` in its own statement, and a revocation by grant forgets them all.
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

const KEPT_MODEL = 'AccessToken';

export function smartStore(db: Kysely<Database>, directory: DirectoryLookup, accessTokens?: AccessTokenCache): SmartStore {
  const live = sql<boolean>`(expires_at IS NULL OR expires_at > now())`;
  let writes = 0;

  /** Runs a write that may change a kept access token (`id`; every token when undefined), announcing it in the same statement. */
  async function changingTokens(id: string | undefined, write: RawBuilder<unknown>): Promise<void> {
    try {
      await sql`WITH changed AS (${write}) SELECT pg_notify(${SMART_TOKENS_CHANGED}, ${id ?? ''}) FROM (SELECT count(*) FROM changed) AS done`.execute(db);
    } finally {
      accessTokens?.changed(id);
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
      if (this.model === KEPT_MODEL) await changingTokens(id, sql`${write.returning('id')}`);
      else await write.execute();
      if (++writes % PURGE_EVERY === 0)
        await db
          .deleteFrom('oauth_payload')
          .where('expires_at', '<', sql<Date>`now()`)
          .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clientMetadata(directory, id);
      if (this.model === KEPT_MODEL && accessTokens) return accessTokens.get(id, () => this.findWhere('id', id));
      return this.findWhere('id', id);
    }

    findByUid(uid: string) {
      return this.findWhere('uid', uid);
    }

    findByUserCode(userCode: string) {
      return this.findWhere('user_code', userCode);
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
      await changingTokens(this.model === KEPT_MODEL ? id : undefined, sql`DELETE FROM oauth_payload WHERE model = ${this.model} AND id = ${id} RETURNING 1`);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await changingTokens(undefined, sql`DELETE FROM oauth_payload WHERE grant_id = ${grantId} RETURNING 1`);
    }

    private async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
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
      await changingTokens(undefined, sql`DELETE FROM oauth_payload WHERE grant_id = ${grantId} OR (model = 'Grant' AND id = ${grantId}) RETURNING 1`);
    },
  };
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
