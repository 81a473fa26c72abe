import { randomBytes } from 'node:crypto';
import { createDatabase, createPglite, type DatabaseHandle } from '../../src/db';
import { createTestDatabase } from '../../src/testing';

export type DialectKind = 'postgres' | 'pglite';
export const dialects: DialectKind[] = ['postgres', 'pglite'];

/** One database of the given kind; open() hands out handles onto it (pools or a shared PGlite). */
export interface TestDatabases {
  open(): Promise<DatabaseHandle<any>>;
  close(): Promise<void>;
}

export async function openTestDatabases(kind: DialectKind): Promise<TestDatabases> {
  const handles: DatabaseHandle<any>[] = [];
  const track = async (h: Promise<DatabaseHandle<any>>) => {
    const handle = await h;
    handles.push(handle);
    return handle;
  };
  if (kind === 'postgres') {
    const database = await createTestDatabase();
    return {
      open: () => track(createDatabase({ databaseUrl: database.url, poolSize: 12 })),
      async close() {
        await Promise.all(handles.map((h) => h.close()));
        await database.drop();
      },
    };
  }
  const pglite = await createPglite();
  return {
    open: () => track(createDatabase({ pglite })),
    async close() {
      await Promise.all(handles.map((h) => h.close()));
      await pglite.close();
    },
  };
}

/** A schema name of this test's own. */
export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Resolves once `check` returns true; fails after `boundMs` (a bound for hangs, not a timing assertion). */
export async function waitFor(check: () => boolean | Promise<boolean>, boundMs = 15_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
