// Storage for the authorization server: clients come from the smart_client table (so a client
// registered in the database is known at once); sessions, interactions, codes, grants and tokens
// live in this process's memory, expiring with their TTL. (One process serves the authorization
// server; a restart signs patients out and ends issued tokens.)
import type { Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Database } from '../../platform/schema.js';

interface Stored {
  payload: AdapterPayload;
  expiresAt?: number;
}

export interface SmartStore {
  Adapter: new (model: string) => Adapter;
  /** The patient's grants to a client: their ids and the scopes they hold for `resource`. */
  grantsOf(accountId: string, clientId: string, resource: string): { grantId: string; scopes: string[] }[];
  /** Ends a grant and every code and token issued under it. */
  revokeGrant(grantId: string): Promise<void>;
}

export function smartStore(db: Kysely<Database>): SmartStore {
  const stores = new Map<string, Map<string, Stored>>();
  const grants = new Map<string, Set<string>>();
  const Adapter = class implements Adapter {
    private readonly store: Map<string, Stored>;
    constructor(private readonly model: string) {
      this.store = stores.get(model) ?? new Map();
      stores.set(model, this.store);
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      this.store.set(id, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (payload.grantId) grants.set(payload.grantId, (grants.get(payload.grantId) ?? new Set()).add(`${this.model}:${id}`));
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clientMetadata(db, id);
      const stored = this.store.get(id);
      if (!stored) return undefined;
      if (stored.expiresAt !== undefined && stored.expiresAt < Date.now()) {
        this.store.delete(id);
        return undefined;
      }
      return stored.payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      for (const [id, stored] of this.store) if (stored.payload.uid === uid) return this.find(id);
      return undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      for (const [id, stored] of this.store) if (stored.payload.userCode === userCode) return this.find(id);
      return undefined;
    }

    async consume(id: string): Promise<void> {
      const stored = this.store.get(id);
      if (stored) stored.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      this.store.delete(id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) {
        const [model, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
        stores.get(model)?.delete(id);
      }
      grants.delete(grantId);
    }
  };
  return {
    Adapter,
    grantsOf(accountId, clientId, resource) {
      return [...(stores.get('Grant') ?? new Map<string, Stored>())]
        .filter(([, { payload }]) => payload.accountId === accountId && payload.clientId === clientId)
        .map(([grantId, { payload }]) => ({ grantId, scopes: String((payload.resources as Record<string, string> | undefined)?.[resource] ?? '').split(' ').filter(Boolean) }));
    },
    async revokeGrant(grantId) {
      await new Adapter('Grant').revokeByGrantId(grantId);
      stores.get('Grant')?.delete(grantId);
    },
  };
}

async function clientMetadata(db: Kysely<Database>, clientId: string): Promise<AdapterPayload | undefined> {
  const client = await db.selectFrom('smart_client').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  return (
    client && {
      client_id: client.client_id,
      client_name: client.name,
      redirect_uris: client.redirect_uris,
      ...(client.client_secret ? { token_endpoint_auth_method: 'client_secret_basic', client_secret: client.client_secret } : { token_endpoint_auth_method: 'none' }),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
    }
  );
}
