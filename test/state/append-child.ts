// Run as a separate process by the tests: opens the state store named by argv (a directory, or a postgres URL),
// appends N ledger entries for one ticket, prints the installation's hash of a fixed identity, exits.
import { openStateStore } from '../../src/state/store.ts';
import { STATE_KEY } from '../helpers/state-key.ts';

const [target, count, ticket] = process.argv.slice(2);
const store = await openStateStore({ ...(target.startsWith('postgres') ? { url: target } : { dir: target }), hmacKey: STATE_KEY });
for (let i = 0; i < Number(count); i++) {
  await store.ledger.append({ ticket, kind: 'export', event: 'started', outcome: 'in-progress', actor: 'child' });
}
process.stdout.write(store.subjectHash('email', 'ann@example.com'));
await store.close();
