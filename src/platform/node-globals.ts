// @medplum/core reads `WebSocket` from the global scope as it loads, which Node 20 provides only
// behind a flag. Import this module before anything that loads @medplum/core.
import WebSocket from 'ws';

if (!('WebSocket' in globalThis)) Object.assign(globalThis, { WebSocket });
