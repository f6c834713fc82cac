import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SystemError } from '../../src/errors.ts';
import { FilesConnector, rowOrdinal } from '../../connectors/files/connector.ts';
import { BOM, collect, filesDir, withOrdinals, type FilesDir } from './files-helpers.ts';

/** A file declares none of a database's keys, indexes, foreign keys, partitions or triggers. */
const NOTHING_DECLARED = { primaryKey: [], indexes: [], foreignKeys: [], partitions: [], partitionKey: [], triggers: [] };

// A CSV export with everything that breaks naive CSV code: a BOM, CRLF, a quoted field holding a newline,
// `""` escapes, accented and CJK text, empty fields, a padded mixed-case email, a value that looks like a formula.
const HEADER = `${BOM}id,email,name,note\r\n`;
const MARY = `1,"  Mary.Smith@X.org ",Mary Smith,"line one\r\nline two"\r\n`;
const BOB = `2,bob@example.com,"Bob ""The Builder""",\r\n`;
const ZOE = `3,zoe@example.com,Zoë Ångström,東京都港区\r\n`;
const LI = `4,li@example.com,李小龍,=SUM(A1:A9)\r\n`;
const SUBSCRIBERS = HEADER + MARY + BOB + ZOE + LI;

let files: FilesDir;
beforeEach(async () => {
  files = await filesDir();
  await files.write('subscribers.csv', SUBSCRIBERS);
});
afterEach(() => files.remove());

describe('files connector: reading CSV', () => {
  it('reads every row in file order, each with its 1-based ordinal as a hidden _row', async () => {
    const csv = await files.connector('csv');
    const rows = await collect(csv.batches('subscribers', [], { batchSize: 10 }));
    expect(withOrdinals(rows)).toEqual([
      { _row: 1, id: '1', email: '  Mary.Smith@X.org ', name: 'Mary Smith', note: 'line one\r\nline two' },
      { _row: 2, id: '2', email: 'bob@example.com', name: 'Bob "The Builder"', note: '' },
      { _row: 3, id: '3', email: 'zoe@example.com', name: 'Zoë Ångström', note: '東京都港区' },
      { _row: 4, id: '4', email: 'li@example.com', name: '李小龍', note: '=SUM(A1:A9)' },
    ]);
    expect(Object.keys(rows[0])).toEqual(['id', 'email', 'name', 'note']);
    expect(JSON.stringify(rows[1])).toBe('{"id":"2","email":"bob@example.com","name":"Bob \\"The Builder\\"","note":""}');
    expect(rowOrdinal(rows[3])).toBe(4);
  });

  it('finds a padded mixed-case email under lowercase-trim', async () => {
    const csv = await files.connector('csv');
    const rows = await collect(csv.rowsWhereIn('subscribers', 'email', ['mary.smith@x.org', 'nobody@x.org'], { normalize: 'lowercase-trim' }));
    expect(withOrdinals(rows)).toEqual([
      { _row: 1, id: '1', email: '  Mary.Smith@X.org ', name: 'Mary Smith', note: 'line one\r\nline two' },
    ]);
  });

  it('compares trimmed text when no normalizer is given, and returns only the asked columns', async () => {
    const csv = await files.connector('csv');
    const rows = await collect(csv.rowsWhereIn('subscribers', 'id', [' 3 ', '4'], { columns: ['id', 'name'] }));
    expect(withOrdinals(rows)).toEqual([
      { _row: 3, id: '3', name: 'Zoë Ångström' },
      { _row: 4, id: '4', name: '李小龍' },
    ]);
  });

  it('never matches an empty value: digits of a cell without digits is not a match for everyone', async () => {
    const csv = await files.connector('csv');
    expect(await collect(csv.rowsWhereIn('subscribers', 'note', ['', 'abc'], { normalize: 'digits' }))).toEqual([]);
  });

  it('yields matches in chunks of the requested size', async () => {
    const csv = await files.connector('csv');
    const chunks: number[] = [];
    for await (const chunk of csv.rowsWhereIn('subscribers', 'id', ['1', '2', '3'], { chunkSize: 2 })) chunks.push(chunk.length);
    expect(chunks).toEqual([2, 1]);
  });

  it('names the system, the file and the line of malformed CSV, without quoting its content', async () => {
    const error = await files.readError('broken.csv', 'id,email\n1,a@x.org\n2,"secret@x.org"oops\n');
    expect(error).toBeInstanceOf(SystemError);
    expect(error.message).toBe('exports.broken: line 3: text follows a closing quote before the next delimiter');
  });

  it('reports a row with the wrong number of fields by its line', async () => {
    const error = await files.readError('short.csv', 'id,email\n1,a@x.org\n\n2\n');
    expect(error.message).toBe('exports.short: line 4: expected 2 fields, found 1');
  });

  it('reports a quoted field that is never closed at the line where its record starts', async () => {
    const error = await files.readError('unclosed.csv', 'id,email\n1,a@x.org\n\n2,"secret@x.org\n3,c@x.org\n');
    expect(error.message).toBe('exports.unclosed: line 4: a quoted field is never closed');
  });

  it('refuses a column the header does not have', async () => {
    const csv = await files.connector('csv');
    const error = await collect(csv.rowsWhereIn('subscribers', 'phone', ['1'])).catch((e) => e);
    expect(error).toBeInstanceOf(SystemError);
    expect(error.message).toBe('exports.subscribers: no column "phone" in the header');
  });

  it('names a missing file as a SystemError of the table', async () => {
    const csv = await files.connector('csv');
    const error = await collect(csv.batches('nope', [], { batchSize: 10 })).catch((e) => e);
    expect(error).toBeInstanceOf(SystemError);
    expect(error.table).toBe('nope');
    expect(error.message).toBe(`exports.nope: no file nope.csv in ${files.dir}`);
  });
});

describe('files connector: batches', () => {
  it('streams a 50,000-row CSV in batches of the requested size and resumes after an ordinal', async () => {
    const lines = ['id,email,signed_up'];
    for (let i = 1; i <= 50_000; i++) lines.push(`${i},user${i}@example.com,2020-01-${String((i % 28) + 1).padStart(2, '0')}`);
    await files.write('big.csv', lines.join('\n') + '\n');
    const csv = await files.connector('csv');

    const sizes: number[] = [];
    let last: unknown;
    for await (const batch of csv.batches('big', ['_row'], { batchSize: 1000 })) {
      sizes.push(batch.length);
      last = batch[batch.length - 1];
    }
    expect(sizes).toEqual(Array(50).fill(1000));
    expect(withOrdinals([last as Record<string, unknown>])).toEqual([{ _row: 50000, id: '50000', email: 'user50000@example.com', signed_up: '2020-01-21' }]);

    const tail = await collect(csv.batches('big', ['_row'], { batchSize: 1000, after: [49_998] }));
    expect(tail.map(rowOrdinal)).toEqual([49_999, 50_000]);
  });

  it('resumes after a key column value in file order', async () => {
    const csv = await files.connector('csv');
    const rows = await collect(csv.batches('subscribers', ['id'], { batchSize: 2, after: ['2'], columns: ['id'] }));
    expect(rows).toEqual([{ id: '3' }, { id: '4' }]);
  });

  it('starts over when the key to resume after is gone (redoing is cheap and misses nothing)', async () => {
    const csv = await files.connector('csv');
    const rows = await collect(csv.batches('subscribers', ['id'], { batchSize: 2, after: ['9'], columns: ['id'] }));
    expect(rows).toEqual([{ id: '1' }, { id: '2' }, { id: '3' }, { id: '4' }]);
  });
});

describe('files connector: rewriting CSV', () => {
  it('changes only the bytes of the updated row: BOM, CRLF, quoting and every other row stay as they were', async () => {
    const csv = await files.connector('csv');
    const updated = await csv.updateByKeys('subscribers', ['id'], [{ key: ['2'], set: { name: 'Robert "Bob" B.', note: null } }]);
    expect(updated).toBe(1);
    const bob = `2,bob@example.com,"Robert ""Bob"" B.",\r\n`;
    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(HEADER + MARY + bob + ZOE + LI);
  });

  it('quotes a changed field that needs it and keeps embedded newlines', async () => {
    const csv = await files.connector('csv');
    await csv.updateByKeys('subscribers', ['_row'], [{ key: [3], set: { name: 'Zoë, Å.', note: 'two\nlines' } }]);
    const zoe = `3,zoe@example.com,"Zoë, Å.","two\nlines"\r\n`;
    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(HEADER + MARY + BOB + zoe + LI);
  });

  it('keeps a formula-looking value as it was when another field of its row changes', async () => {
    const csv = await files.connector('csv');
    await csv.updateByKeys('subscribers', ['email'], [{ key: ['li@example.com'], set: { email: 'x@invalid' } }]);
    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(HEADER + MARY + BOB + ZOE + `4,x@invalid,李小龍,=SUM(A1:A9)\r\n`);
  });

  it('deletes a row and nothing else', async () => {
    const csv = await files.connector('csv');
    expect(await csv.deleteByKeys('subscribers', ['_row'], [[1]])).toBe(1);
    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(HEADER + BOB + ZOE + LI);
  });

  it('keeps ordinals stable for the connector after a delete, so later writes hit the rows that were read', async () => {
    const csv = await files.connector('csv');
    const rows = await collect(csv.batches('subscribers', [], { batchSize: 10 }));
    await csv.deleteByKeys('subscribers', ['_row'], [[rowOrdinal(rows[0])]]);
    await csv.updateByKeys('subscribers', ['_row'], [{ key: [rowOrdinal(rows[2])], set: { name: 'Z' } }]);
    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(HEADER + BOB + `3,zoe@example.com,Z,東京都港区\r\n` + LI);
    const after = await collect(csv.batches('subscribers', [], { batchSize: 10, columns: ['id'] }));
    expect(withOrdinals(after)).toEqual([
      { _row: 2, id: '2' },
      { _row: 3, id: '3' },
      { _row: 4, id: '4' },
    ]);
  });

  it('deletes each batch while streaming the next (a sweep) and removes exactly the rows it read', async () => {
    const lines = ['id,status'];
    for (let i = 1; i <= 25; i++) lines.push(`${i},${i % 2 ? 'expired' : 'active'}`);
    await files.write('members.csv', lines.join('\n') + '\n');
    const csv = await files.connector('csv');
    for await (const batch of csv.batches('members', [], { batchSize: 4 })) {
      const expired = batch.filter((r) => r.status === 'expired').map((r) => [rowOrdinal(r)]);
      await csv.deleteByKeys('members', [], expired);
    }
    const kept = (await files.read('members.csv')).toString('utf8');
    expect(kept).toBe(['id,status', ...Array.from({ length: 12 }, (_, i) => `${2 * (i + 1)},active`)].join('\n') + '\n');
  });

  it('keeps LF endings, a missing final newline, another delimiter and quoted-everything style', async () => {
    await files.write('list.csv', '"id";"email";"city"\n"1";"a@x.org";"Köln"\n"2";"b@x.org";"Zürich"');
    const csv = await files.connector('csv');
    await csv.updateByKeys('list', ['id'], [{ key: [2], set: { city: 'Genève' } }]);
    expect((await files.read('list.csv')).toString('utf8')).toBe('"id";"email";"city"\n"1";"a@x.org";"Köln"\n"2";"b@x.org";"Genève"');
  });

  it('leaves the file untouched (same inode) when an update writes the values it already has', async () => {
    const csv = await files.connector('csv');
    const inode = await files.inode('subscribers.csv');
    expect(await csv.updateByKeys('subscribers', ['id'], [{ key: ['3'], set: { name: 'Zoë Ångström' } }])).toBe(1);
    expect(await files.inode('subscribers.csv')).toBe(inode);
    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(SUBSCRIBERS);
  });

  it('refuses to set a column the header does not have, and writes nothing', async () => {
    const csv = await files.connector('csv');
    const error = await csv.updateByKeys('subscribers', ['id'], [{ key: ['1'], set: { phone: '1' } }]).catch((e) => e);
    expect(error).toBeInstanceOf(SystemError);
    expect(error.message).toBe('exports.subscribers: no column "phone" in the header');
    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(SUBSCRIBERS);
  });

  it('refuses a _row key that is not a row number', async () => {
    const csv = await files.connector('csv');
    const error = await csv.deleteByKeys('subscribers', ['_row'], [[undefined]]).catch((e) => e);
    expect(error).toBeInstanceOf(SystemError);
    expect(error.message).toBe('exports.subscribers: a _row key must be a positive integer row number (got undefined)');
  });
});

describe('files connector: transactions', () => {
  it('applies every buffered change in one rewrite at the end (a field quoted before stays quoted)', async () => {
    const csv = await files.connector('csv');
    const counts = await csv.transaction(async (tx) => {
      const updated = await tx.updateByKeys('subscribers', ['id'], [{ key: ['1'], set: { email: 'hashed@invalid' } }]);
      const deleted = await tx.deleteByKeys('subscribers', [], [[2], [3]]);
      // Inside the transaction the file is still the old one.
      expect((await files.read('subscribers.csv')).toString('utf8')).toBe(SUBSCRIBERS);
      return { updated, deleted };
    });
    expect(counts).toEqual({ updated: 1, deleted: 2 });
    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(HEADER + `1,"hashed@invalid",Mary Smith,"line one\r\nline two"\r\n` + LI);
  });

  it('writes nothing when the transaction throws', async () => {
    const csv = await files.connector('csv');
    const inode = await files.inode('subscribers.csv');
    await expect(
      csv.transaction(async (tx) => {
        await tx.deleteByKeys('subscribers', [], [[1]]);
        await tx.updateByKeys('subscribers', ['id'], [{ key: ['2'], set: { name: 'X' } }]);
        throw new Error('interrupted');
      }),
    ).rejects.toThrow('interrupted');
    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(SUBSCRIBERS);
    expect(await files.inode('subscribers.csv')).toBe(inode);
    expect((await readdir(files.dir)).sort()).toEqual(['subscribers.csv']);
  });
});

describe('files connector: crashes and other writers', () => {
  it('leaves the original intact when killed with SIGKILL mid-rewrite, and the next connect removes the half file', async () => {
    const atomic = fileURLToPath(new URL('../../connectors/files/atomic.ts', import.meta.url));
    const script = join(files.dir, 'rewrite-and-hang.mts');
    await files.write(
      'rewrite-and-hang.mts',
      `import { rewriteAtomically } from ${JSON.stringify(atomic)};
      setInterval(() => {}, 1000); // stay alive until killed
      await rewriteAtomically(process.argv[2], async (sink) => {
        await sink.write(Buffer.alloc(200000, 0x41));
        process.stdout.write('half-written\\n');
        await new Promise(() => {});
        return true;
      });`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, join(files.dir, 'subscribers.csv')], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (d) => String(d).includes('half-written') && resolve()));
    child.kill('SIGKILL');
    await once(child, 'exit');

    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(SUBSCRIBERS);
    const temps = (await readdir(files.dir)).filter((n) => n.includes('.dsar-tmp-'));
    expect(temps).toHaveLength(1);
    expect(temps[0]).toMatch(new RegExp(`^\\.subscribers\\.csv\\.dsar-tmp-${child.pid}-[0-9a-f]{12}$`));
    expect((await files.read(temps[0])).length).toBe(200000);
    await files.connector('csv');
    expect((await readdir(files.dir)).sort()).toEqual(['rewrite-and-hang.mts', 'subscribers.csv']);
  });

  it('refuses to write by row number after another program replaced the file, and still writes by key', async () => {
    const csv = await files.connector('csv');
    await collect(csv.batches('subscribers', [], { batchSize: 10 }));
    await files.write('subscribers.csv', HEADER + ZOE + LI); // someone else removed two rows: row 1 is Zoë now
    const error = await csv.deleteByKeys('subscribers', ['_row'], [[1]]).catch((e) => e);
    expect(error).toBeInstanceOf(SystemError);
    expect(error.message).toMatch(/^exports\.subscribers: the file was replaced by another program after dsar read it/);
    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(HEADER + ZOE + LI);
    expect(await csv.deleteByKeys('subscribers', ['id'], [['4']])).toBe(1);
    expect((await files.read('subscribers.csv')).toString('utf8')).toBe(HEADER + ZOE);
  });
});

describe('files connector: connect and introspect', () => {
  it('removes a temp file left by a killed rewrite at connect, but not one of a running process', async () => {
    await files.write('.subscribers.csv.dsar-tmp-4194999-1a2b3c', 'id,email\r\n1,half');
    await files.write(`.subscribers.csv.dsar-tmp-${process.pid}-4d5e6f`, 'in progress');
    await files.connector('csv');
    expect((await readdir(files.dir)).sort()).toEqual([`.subscribers.csv.dsar-tmp-${process.pid}-4d5e6f`, 'subscribers.csv']);
  });

  it('fails to connect to a directory that does not exist, naming the system only', async () => {
    const csv = new FilesConnector({ system: 'exports', kind: 'files', path: `${files.dir}/missing`, format: 'csv' });
    const error = await csv.connect().catch((e) => e);
    expect(error).toBeInstanceOf(SystemError);
    expect(error.table).toBeUndefined();
    expect(error.message).toBe(`exports: directory ${files.dir}/missing does not exist`);
  });

  it('lists each file of the format as a table with its header columns and a row estimate', async () => {
    await files.write('events.csv', 'at,kind\n2024-01-01,login\n2024-01-02,logout\n');
    await files.write('notes.txt', 'not a table');
    await files.write('.hidden.csv', 'a\n1\n');
    const csv = await files.connector('csv');
    const { tables } = await csv.introspect();
    expect(tables.map((t) => [t.name, t.kind, t.columns.map((c) => c.name), t.estimatedRows])).toEqual([
      ['events', 'file', ['at', 'kind'], 2],
      ['subscribers', 'file', ['id', 'email', 'name', 'note'], 4],
    ]);
    expect(tables[0]).toEqual({
      name: 'events',
      kind: 'file',
      columns: [
        { name: 'at', type: 'text', family: 'text', nullable: true, maxLength: null, unique: false },
        { name: 'kind', type: 'text', family: 'text', nullable: true, maxLength: null, unique: false },
      ],
      ...NOTHING_DECLARED,
      estimatedRows: 2,
    });
  });

  it('estimates the rows of a large file from its size and a sample', async () => {
    const lines = ['id,email'];
    for (let i = 1; i <= 10_000; i++) lines.push(`${String(i).padStart(5, '0')},u${String(i).padStart(5, '0')}@example.com`);
    await files.write('big.csv', lines.join('\n') + '\n');
    const csv = await files.connector('csv');
    const [big] = (await csv.introspect()).tables.filter((t) => t.name === 'big');
    expect(big.estimatedRows).toBe(10_000);
  });
});
