// Run as a separate process by the tests: opens the state store named by argv (a directory, or a postgres URL),
// holds the name, prints "held" (or "refused"), and waits to be killed.
import { openStateStore } from '../../src/state/store.ts';

const [target, name] = process.argv.slice(2);
const store = await openStateStore(target.startsWith('postgres') ? { url: target } : { dir: target });
const hold = await store.hold(name);
process.stdout.write(hold.held ? 'refused\n' : 'held\n');
setInterval(() => undefined, 60_000);
