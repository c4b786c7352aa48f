// The authorization server's storage keeps access tokens and sign-in sessions between requests, and
// forgets one as soon as it changes: in the process that changed it at once, in every other process
// when the change's NOTIFY arrives — so a token whose sign-in ended is refused on its next use.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { testEngines } from '../../../test/support/engines.js';
import { waitFor } from '../../../test/support/wait.js';
import type { DatabaseHandle } from '../../database.js';
import { directoryLookup } from '../directory/lookup.js';
import { accessTokenCache, deleteSignInsOf, SMART_TOKENS_CHANGED, smartStore } from './adapter.js';

const ACCOUNT = 'patient';
const session = (uid: string): AdapterPayload => ({ uid, accountId: ACCOUNT, exp: Math.floor(Date.now() / 1000) + 3600 });

for (const engine of testEngines())
  describe(`authorization server storage on ${engine.name}`, () => {
    let database: DatabaseHandle;
    /** The sessions of two processes' stores on one database, each keeping what it read while it hears the other's changes. */
    const processes: Adapter[] = [];
    const stops: (() => Promise<void>)[] = [];

    before(async () => {
      database = await engine.open();
      for (let i = 0; i < 2; i++) {
        const kept = accessTokenCache();
        let live = false;
        stops.push(
          await database.listen(
            SMART_TOKENS_CHANGED,
            (payload) => kept.changed(payload || undefined),
            (now) => {
              live = now;
              kept.hearing(now);
            },
          ),
        );
        await waitFor(async () => live, 'listening');
        processes.push(new (smartStore(database.db, directoryLookup(database.db), kept).Adapter)('Session'));
      }
    });
    after(async () => {
      for (const stop of stops) await stop();
      await database.close();
    });

    it('forgets a session it keeps once it is signed out, here and in another process', async () => {
      const [here, there] = processes;
      await here!.upsert('session-1', session('uid-1'), 3600);
      assert.equal((await here!.findByUid('uid-1'))?.accountId, ACCOUNT);
      assert.equal((await there!.findByUid('uid-1'))?.accountId, ACCOUNT, 'both keep it now');

      await here!.destroy('session-1');
      assert.equal(await here!.findByUid('uid-1'), undefined, 'forgotten at once where it was signed out');
      await waitFor(async () => (await there!.findByUid('uid-1')) === undefined, 'the other process forgets it');
    });

    it('forgets the sessions a reset ends inside its transaction, once it commits', async () => {
      const [here, there] = processes;
      await here!.upsert('session-2', session('uid-2'), 3600);
      for (const sessions of [here!, there!]) assert.equal((await sessions.findByUid('uid-2'))?.accountId, ACCOUNT);

      await database.db.transaction().execute((tx) => deleteSignInsOf(tx, ACCOUNT));
      for (const sessions of [here!, there!]) await waitFor(async () => (await sessions.findByUid('uid-2')) === undefined, 'the ended session forgotten');
    });
  });
