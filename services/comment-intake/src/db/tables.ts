import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CommentStatus, CommentsSubmittedV1, OutboxTables, TenancyReadTables } from '@parley/shared';

export const SCHEMA = 'intake';

export interface ThreadTable {
  site_id: string;
  id: string;
  url: string | null;
  title: string | null;
  closed_at: Date | null;
  /** When moderation last closed or reopened the thread (the event's time): older events are ignored. */
  closed_changed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  approved_count: Generated<number>;
  /** bigint: read back as a string. */
  version: ColumnType<string, string | number | undefined, string | number>;
  created_at: Generated<Date>;
}
export type ThreadRow = Selectable<ThreadTable>;

export type CommentSignals = CommentsSubmittedV1['payload']['signals'];

export interface CommentTable {
  id: string;
  site_id: string;
  thread_id: string;
  parent_id: string | null;
  root_id: string;
  depth: number;
  status: CommentStatus;
  author_name: string;
  author_website: string | null;
  email_encrypted: Buffer | null;
  email_hash: string | null;
  email_domain: string | null;
  ip_hash: string;
  ip_prefix: string;
  fingerprint: string;
  author_token_hash: string;
  text: string;
  signals: ColumnType<CommentSignals, string, string>;
  created_at: Date;
  status_changed_at: Date;
  /** Set when a privacy request erased the author's data (the row is then a tombstone). */
  erased_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
export type CommentRow = Selectable<CommentTable>;

export interface ReportTable {
  id: string;
  comment_id: string;
  fingerprint: string;
  reason: string;
  note: string | null;
  created_at: Generated<Date>;
}

export interface IdempotencyKeyTable {
  site_id: string;
  key: string;
  request_hash: string;
  status: number;
  response: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
}

/** Tables are referenced schema-qualified (`intake.comments`), as the outbox helpers do. */
export type IntakeDb = TenancyReadTables &
  OutboxTables<'intake'> & {
    'intake.threads': ThreadTable;
    'intake.comments': CommentTable;
    'intake.reports': ReportTable;
    'intake.idempotency_keys': IdempotencyKeyTable;
  };
