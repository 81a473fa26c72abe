import type { Generated, Selectable } from 'kysely';
import type { ApiKeyRole, SiteSettings } from '@parley/shared';

export const SCHEMA = 'moderation';

export interface SiteTable {
  id: string;
  name: string;
  allowed_origins: string[];
  settings: SiteSettings;
  status: 'active' | 'closed' | 'deleted';
  version: number;
  created_at: Generated<Date>;
  updated_at: Date;
}
export type SiteRow = Selectable<SiteTable>;

export interface ApiKeyTable {
  id: string;
  prefix: string;
  hash: string;
  role: ApiKeyRole;
  sites: string[];
  label: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
  version: number;
}
export type ApiKeyRow = Selectable<ApiKeyTable>;

export interface AuditLogTable {
  id: string;
  key_id: string | null;
  site: string | null;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  at: Generated<Date>;
}

export interface ModerationDb {
  sites: SiteTable;
  api_keys: ApiKeyTable;
  audit_log: AuditLogTable;
}
