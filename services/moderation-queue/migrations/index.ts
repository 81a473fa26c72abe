import type { Migration } from 'kysely/migration';
import * as moderation from './2026_11_26_2330_moderation';
import * as tenancy from './2026_11_26_2300_tenancy';
import * as erasedComments from './2026_11_27_1030_erased_comments';
import * as commentErasedAt from './2026_11_27_1100_comment_erased_at';
import * as auditCommentReasons from './2026_11_27_1700_audit_comment_reasons';

/** In order; names sort by time. Listed here (not read from disk) so bundles and tests see the same set. */
export const migrations: Record<string, Migration> = {
  '2026_11_26_2300_tenancy': tenancy,
  '2026_11_26_2330_moderation': moderation,
  '2026_11_27_1030_erased_comments': erasedComments,
  '2026_11_27_1100_comment_erased_at': commentErasedAt,
  '2026_11_27_1700_audit_comment_reasons': auditCommentReasons,
};
