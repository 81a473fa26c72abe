import type { Kysely } from 'kysely';
import type { ApiKeyRole, SiteSettings } from '../contracts/site.schema';

/** The copy of sites and API keys that comment-intake and cookie-consent keep (from events). */
export interface SiteReadTable {
  id: string;
  name: string;
  allowed_origins: string[];
  settings: SiteSettings;
  status: 'active' | 'closed' | 'deleted';
  version: number;
  updated_at: Date;
}

export interface ApiKeyReadTable {
  id: string;
  prefix: string;
  hash: string;
  role: ApiKeyRole;
  sites: string[];
  revoked_at: Date | null;
  version: number;
}

export interface TenancyReadTables {
  sites: SiteReadTable;
  api_keys: ApiKeyReadTable;
}

/** Called by a service's first migration. */
export async function createTenancyReadModelTables(db: Kysely<any>, schema: string): Promise<void> {
  const s = db.schema.withSchema(schema);
  await s
    .createTable('sites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('allowed_origins', 'jsonb', (c) => c.notNull())
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await s
    .createTable('api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('sites', 'jsonb', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
}
