// Identities compare by one defined rule: NFC, then lowercasing of every letter but the lookalike (compatibility)
// characters, which never fold into plain ones. `\u212Aim@example.org` (with U+212A KELVIN SIGN) is another mailbox than kim@example.org, on every engine.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { createFourEngines, FOUR_SYSTEMS, type FourEngines } from '../helpers/four-engines.ts';

const KELVIN = '\u212Aim@example.org';

let world: FourEngines;
let dir: string;

beforeAll(async () => {
  world = await createFourEngines('uni', {
    create: {
      pg: 'CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, name text)',
      my: 'CREATE TABLE people (id int PRIMARY KEY, email varchar(80) NOT NULL, name varchar(80)) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
      lite: 'CREATE TABLE people (id integer PRIMARY KEY, email text NOT NULL, name text)',
    },
    values: [`(1, 'kim@example.org', 'Kim Plain')`, `(2, '${KELVIN}', 'Kim Kelvin')`, `(3, 'E\u0301lise@Example.org', 'Elise')`].join(', '),
    csv: `id,email,name\n1,kim@example.org,Kim Plain\n2,${KELVIN},Kim Kelvin\n3,E\u0301lise@Example.org,Elise\n`,
    table: '    key: id\n    identify: { email: email }\n    fields:\n      name: { category: identity.name, mask: redact }\n',
  });
  dir = world.dir;
  Object.assign(process.env, world.env);
}, 60_000);

afterAll(async () => {
  await world?.dispose();
});

let tickets = 0;
async function exportOf(identity: string): Promise<{ code: number; stderr: string; names: Record<string, string[]> }> {
  const ticket = `U-${++tickets}`;
  let stderr = '';
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const code = await main(['--datamap', world.map, '--log-level', 'silent', 'export', identity, '--ticket', ticket, '--out', path.join(dir, 'out')], {
      stdout: () => {},
      stderr: (s) => void (stderr += s),
    });
    const names: Record<string, string[]> = {};
    if (code === 0) {
      for (const s of FOUR_SYSTEMS) {
        try {
          names[s] = JSON.parse(readFileSync(path.join(dir, 'out', ticket, 'data', s, 'people.json'), 'utf8')).map((r: { name: string }) => r.name);
        } catch {
          names[s] = [];
        }
      }
    }
    return { code, stderr, names };
  } finally {
    process.chdir(cwd);
  }
}

describe('identities in Unicode', () => {
  test('kim@example.org finds Kim Plain only, never the Kelvin-sign mailbox, on every engine', async () => {
    const r = await exportOf('KIM@example.org');
    expect(r.stderr).toBe('');
    expect(r.names).toEqual({ pg: ['Kim Plain'], my: ['Kim Plain'], lite: ['Kim Plain'], crm: ['Kim Plain'] });
  });

  test('an identity given with a lookalike character is refused with exit 2, naming the character', async () => {
    const r = await exportOf(KELVIN);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dsar: the email given holds U\+212A, a character that looks like another/);
  });

  test('a composed and a decomposed é are one address (NFC), and case folds for it too, on every engine', async () => {
    const r = await exportOf('\u00C9LISE@EXAMPLE.ORG');
    expect(r.names).toEqual({ pg: ['Elise'], my: ['Elise'], lite: ['Elise'], crm: ['Elise'] });
  });
});
