// Storage for the authorization server, in the database: clients are read from the smart_client
// table (a client registered there is known at once, a deactivated one is unknown); sessions, interactions, codes, grants and
// tokens are rows of oauth_payload that expire with their TTL — so they survive restarts and any
// process can serve /oauth.
import { sql, type Kysely } from 'kysely';
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

export function smartStore(db: Kysely<Database>, directory: DirectoryLookup): SmartStore {
  const live = sql<boolean>`(expires_at IS NULL OR expires_at > now())`;
  let writes = 0;

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
      await db
        .insertInto('oauth_payload')
        .values({ model: this.model, id, ...row })
        .onConflict((c) => c.columns(['model', 'id']).doUpdateSet(row))
        .execute();
      if (++writes % PURGE_EVERY === 0)
        await db
          .deleteFrom('oauth_payload')
          .where('expires_at', '<', sql<Date>`now()`)
          .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clientMetadata(directory, id);
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
      await db.deleteFrom('oauth_payload').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oauth_payload').where('grant_id', '=', grantId).execute();
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
      await db
        .deleteFrom('oauth_payload')
        .where((eb) => eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]))
        .execute();
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
