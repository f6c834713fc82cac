// The data map's keys for sweep brakes: a system's replicas and max_lag, a sweep job's window.
import { expect, test } from 'vitest';
import { load, problems, yaml } from './helpers.ts';

const TABLES = `tables:
  app.users:
    key: id
    identify: { email: email }
`;

test('replicas are listed as env: URLs with a max_lag, or discovered (PostgreSQL)', () => {
  const map = load(yaml`
    version: 1
    systems:
      app: { kind: postgres, url: env:APP_URL, replicas: [env:APP_REPLICA_1, env:APP_REPLICA_2], max_lag: 1500ms }
      billing: { kind: postgres, url: env:BILLING_URL, replicas: discover }
      crm: { kind: mysql, url: env:CRM_URL }
  ` + TABLES);

  expect(map.systems.app.replicas).toMatchObject({ kind: 'listed', urls: [{ ref: 'env:APP_REPLICA_1' }, { ref: 'env:APP_REPLICA_2' }] });
  expect(map.systems.app.maxLagMs).toBe(1500);
  expect(map.systems.billing.replicas).toEqual({ kind: 'discover' });
  expect(map.systems.billing.maxLagMs).toBe(5000);
  expect(map.systems.crm.replicas).toBeUndefined();
});

test('replicas that cannot be watched and a lag without a unit are located errors', () => {
  expect(
    problems(yaml`
      version: 1
      systems:
        app: { kind: mysql, url: env:APP_URL, replicas: discover, max_lag: 5 }
        files: { kind: sqlite, path: app.db, replicas: [env:X] }
        other: { kind: postgres, url: env:OTHER_URL, replicas: [] }
    ` + TABLES),
  ).toEqual([
    { at: 'datamap.yaml:3:51', path: 'systems.app.replicas', message: "only PostgreSQL can list its replicas from the primary (pg_stat_replication); list each replica's URL: [env:REPLICA_URL]" },
    { at: 'datamap.yaml:3:70', path: 'systems.app.max_lag', message: 'expected a lag such as 5s or 500ms, got `5`' },
    { at: 'datamap.yaml:4:40', path: 'systems.files.replicas', message: '`replicas` does not apply to a sqlite system' },
    { at: 'datamap.yaml:5:58', path: 'systems.other.replicas', message: 'expected at least one replica URL, e.g. [env:APP_REPLICA_URL]' },
  ]);
});

test("a sweep job's window is kept; a window on another command, or not a window, is a located error", () => {
  const jobs = yaml`
    version: 1
    systems:
      app: { kind: sqlite, path: app.db }
    jobs:
      nightly: { run: sweep, cron: "0 1 * * *", window: "01:00-05:00" }
      report: { run: scan, cron: "0 1 * * *", window: "01:00-05:00" }
      broken: { run: sweep, cron: "0 1 * * *", window: "1am-5am" }
  `;
  expect(problems(jobs + TABLES)).toEqual([
    { at: 'datamap.yaml:6:51', path: 'jobs.report.window', message: "`window` applies to sweep jobs only (a sweep stops at the window's end and resumes on its next run)" },
    { at: 'datamap.yaml:7:52', path: 'jobs.broken.window', message: 'expected times as HH:MM or HH:MM:SS (24-hour), such as "01:00-05:00"' },
  ]);
});

test("a window on a distributed sweep job is a located error: workers stop each share at its lease, not at a window's end", () => {
  const jobs = yaml`
    version: 1
    systems:
      app: { kind: sqlite, path: app.db }
    jobs:
      nightly: { run: "sweep --distribute --wait", cron: "0 1 * * *", window: "01:00-05:00" }
  `;
  expect(problems(jobs + TABLES)).toEqual([
    { at: 'datamap.yaml:5:75', path: 'jobs.nightly.window', message: "`window` stops one process; a distributed sweep's workers stop each share at its lease (leave out --distribute, or the window)" },
  ]);
});
