// One run of an operation at a time (an erasure per ticket): a name held by a process is refused to every other
// process and to this one, until released or until the holder dies, even by SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { StateStore } from '../../src/state/store.ts';
import { BACKENDS, stateFixture, type StateFixture } from './state-fixtures.ts';

const CHILD = path.resolve('test/state/hold-child.ts');

/** A process that holds `name` in the store: resolves with what it printed ("held" or "refused"). */
function holder(target: string, name: string): Promise<{ child: ChildProcess; said: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, target, name], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ child, said: d.toString().trim() }));
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before saying anything`)));
  });
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe.each(BACKENDS)('holds on %s', (name) => {
  let fixture: StateFixture;
  let store: StateStore;
  let target: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    fixture = await stateFixture(name);
    store = await fixture.open();
    target = fixture.options.url ?? fixture.options.dir!;
  });
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  test('a name held here is refused to another process and to this one, and free again once released', async () => {
    const hold = await store.hold('erase:T-1');
    expect(hold.held).toBe(false);
    const other = await holder(target, 'erase:T-1');
    children.push(other.child);
    expect(other.said).toBe('refused');
    expect((await store.hold('erase:T-1')).held).toBe(true);
    const otherName = await store.hold('erase:T-2'); // another name is another lock
    expect(otherName.held).toBe(false);
    if (!otherName.held) await otherName.release();
    if (!hold.held) await hold.release();
    const again = await store.hold('erase:T-1');
    expect(again.held).toBe(false);
    if (!again.held) await again.release();
    // SQLite: no lock file is left behind per name once released.
    if (fixture.options.dir) expect(readdirSync(path.join(fixture.options.dir, '.dsar')).filter((f) => f.startsWith('run-'))).toEqual([]);
  });

  test('a holder killed with SIGKILL leaves the name free: the next run goes ahead at once', async () => {
    const first = await holder(target, 'erase:T-3');
    children.push(first.child);
    expect(first.said).toBe('held');
    expect((await store.hold('erase:T-3')).held).toBe(true);
    await killed(first.child);
    const after = await store.hold('erase:T-3');
    expect(after.held).toBe(false);
    if (!after.held) await after.release();
  });
});
