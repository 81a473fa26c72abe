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

export interface ModerationDb extends ModerationTables {
  sites: SiteTable;
  api_keys: ApiKeyTable;
  audit_log: AuditLogTable;
}

export type CommentState = 'pending' | 'approved' | 'held' | 'spam' | 'rejected' | 'removed' | 'deleted';
export interface StoredReason {
  code: string;
  detail: string;
}

export interface CommentTable {
  id: string;
  site: string;
  thread_id: string;
  thread_url: string | null;
  parent_id: string | null;
  /** Keyed email hash when the author gave an email, else the browser fingerprint. */
  author_key: string;
  author_name: string;
  author_website: string | null;
  author_email_domain: string | null;
  author_email_hash: string | null;
  author_ip_hash: string;
  author_ip_prefix: string;
  author_fingerprint: string;
  text: string;
  /** SHA-256 of the normalised text: the duplicate check's key. */
  text_hash: string;
  signals: unknown;
  state: CommentState;
  version: number;
  reasons: StoredReason[];
  /** Codes of every rule that fired (for the queue's rule filter). */
  rules: string[];
  spam_score: number | null;
  /** The label the classifier learnt from this comment, so a changed decision can be unlearnt. */
  trained_as: 'spam' | 'ham' | null;
  report_count: number;
  submitted_at: Date;
  received_at: Date;
  decided_at: Date | null;
  decided_by: 'pipeline' | 'moderator' | null;
  human_decided_at: Date | null;
  /** When its author's personal data was erased (privacy request or retention); null while it has it. */
  erased_at: Date | null;
}
export type CommentRow = Selectable<CommentTable>;

export interface CommentEventTable {
  id: string;
  comment_id: string;
  site: string;
  kind: 'verdict' | 'decision' | 'report' | 'author';
  from_state: CommentState | null;
  to_state: CommentState | null;
  reasons: StoredReason[];
  actor_kind: 'pipeline' | 'moderator' | 'reader' | 'author';
  actor_key_id: string | null;
  note: string | null;
  at: Date;
}

export interface ReportTable {
  id: string;
  site: string;
  comment_id: string;
  reason: string;
  note: string | null;
  reporter_fingerprint: string;
  reported_at: Date;
}

export interface AuthorTable {
  site: string;
  author_key: string;
  trusted: Generated<boolean>;
  approved_count: Generated<number>;
  updated_at: Generated<Date>;
}

export interface BanTable {
  id: string;
  site: string;
  author_key: string;
  email_hash: string | null;
  ip_hash: string | null;
  fingerprint: string | null;
  reason: string;
  expires_at: Date | null;
  created_at: Date;
  created_by: string | null;
  lifted_at: Date | null;
}
export type BanRow = Selectable<BanTable>;

export interface PolicyTable {
  site: string;
  version: number;
  words_version: number;
  disallowed_words: string[];
  suspect_words: string[];
  reports_hold: boolean;
  spam_hold_threshold: number;
  spam_threshold: number;
  duplicate_window_minutes: number;
  updated_at: Date;
}
export type PolicyRow = Selectable<PolicyTable>;

export interface ThreadTable {
  site: string;
  thread_id: string;
  first_seen_at: Date;
  closed_at: Date | null;
}

export interface SpamTokenTable {
  site: string;
  token: string;
  spam: number;
  ham: number;
}

export interface WebhookTable {
  id: string;
  site: string;
  url: string;
  secret: string;
  events: string[];
  active: boolean;
  created_at: Date;
}
export type WebhookRow = Selectable<WebhookTable>;

export interface WebhookDeliveryTable {
  id: string;
  webhook_id: string;
  site: string;
  event: string;
  body: string;
  attempts: Generated<number>;
  next_attempt_at: Date;
  delivered_at: Date | null;
  failed_at: Date | null;
  last_error: string | null;
  created_at: Date;
}

/**
 * A comment erased by a privacy request (DESIGN §7), kept by id only: whether moderation had it
 * then or not, so that a `comments.submitted` still on its way is dropped rather than stored.
 */
export interface ErasedCommentTable {
  site: string;
  comment_id: string;
  request_id: string;
  erased_at: Date;
}

export interface ModerationTables {
  comments: CommentTable;
  erased_comments: ErasedCommentTable;
  comment_events: CommentEventTable;
  reports: ReportTable;
  authors: AuthorTable;
  bans: BanTable;
  policies: PolicyTable;
  threads: ThreadTable;
  spam_tokens: SpamTokenTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
}

/** The author key an erased comment is left with: 64 hex digits (as the API promises), no one's. */
export const ERASED_AUTHOR_KEY = '0'.repeat(64);

/** The spam_tokens row holding a site's per-class document totals. */
export const SPAM_DOCS_TOKEN = '__docs__';
