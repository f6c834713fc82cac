// A SQLite database file opened for one piece of work and closed after it, even when the work throws.
import Database from 'better-sqlite3';

export function withSqliteFile<T>(file: string, work: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return work(db);
  } finally {
    db.close();
  }
}
