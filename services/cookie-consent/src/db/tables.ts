import type { ColumnType, Generated, Selectable } from 'kysely';
import type { ConsentConfig, TenancyReadTables } from '@parley/shared';

export const SCHEMA = 'consent';

/** pg returns bigint as text; we write numbers. */
type BigIntColumn = ColumnType<string, number | string, number | string>;
/** jsonb written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export interface ConfigRevisionTable {
  site: string;
  revision: number;
  content_hash: string;
  config: Json<ConsentConfig>;
  created_by: string | null;
  created_at: Generated<Date>;
}
export type ConfigRevisionRow = Selectable<ConfigRevisionTable>;

/** One row per site: the last record's sequence number and hash, locked to serialise appends. */
export interface ChainHeadTable {
  site: string;
  seq: BigIntColumn;
  hash: string;
}

export interface RecordTable {
  id: string;
  site: string;
  seq: BigIntColumn;
  consent_id: string;
  revision: number;
  config_hash: string;
  action: string;
  accepted: Json<string[]>;
  rejected: Json<string[]>;
  services: Json<{ accepted: string[]; rejected: string[] }>;
  language: string;
  page_url: string;
  gpc: boolean;
  ip_hash: string;
  ip_prefix: string;
  user_agent: string;
  recorded_at: Date;
  prev_hash: string;
  hash: string;
}
export type RecordRow = Selectable<RecordTable>;

export interface IdempotencyKeyTable {
  site: string;
  key: string;
  request_hash: string;
  /** The answer, on keys stored before 2026_11_27_0600; later keys name their record instead. */
  response: Json<unknown> | null;
  record_id: string | null;
  created_at: Generated<Date>;
}

/** `day` is a date column: pg returns it as a Date at UTC midnight; we write 'YYYY-MM-DD'. */
export interface DailyCategoryStatsTable {
  site: string;
  day: ColumnType<Date, string, string>;
  category: string;
  accepted: number;
  rejected: number;
}

export interface DailyActionStatsTable {
  site: string;
  day: ColumnType<Date, string, string>;
  action: string;
  records: number;
  gpc: number;
}

export interface SigningKeyTable {
  kid: string;
  /** The public JWK as published (OKP / Ed25519). */
  jwk: Record<string, string>;
  first_used_at: Date;
}

export interface ConsentDb extends TenancyReadTables {
  signing_keys: SigningKeyTable;
  config_revisions: ConfigRevisionTable;
  chain_heads: ChainHeadTable;
  records: RecordTable;
  idempotency_keys: IdempotencyKeyTable;
  daily_category_stats: DailyCategoryStatsTable;
  daily_action_stats: DailyActionStatsTable;
}
