import type { Migration } from 'kysely/migration';
import * as tenancy from './2026_11_26_2300_tenancy';
import * as comments from './2026_11_26_2330_comments';
import * as threadClosedChangedAt from './2026_11_27_0215_thread_closed_changed_at';
import * as emailHashIndex from './2026_11_27_0300_email_hash_index';
import * as commentErasedAt from './2026_11_27_1015_comment_erased_at';

/** In order; names sort by time. Listed here (not read from disk) so bundles and tests see the same set. */
export const migrations: Record<string, Migration> = {
  '2026_11_26_2300_tenancy': tenancy,
  '2026_11_26_2330_comments': comments,
  '2026_11_27_0215_thread_closed_changed_at': threadClosedChangedAt,
  '2026_11_27_0300_email_hash_index': emailHashIndex,
  '2026_11_27_1015_comment_erased_at': commentErasedAt,
};
