import { z } from 'zod';
import { apiKeysChangedV1 } from './api-keys-changed.v1';
import { commentsReportedV1 } from './comments-reported.v1';
import { commentsStatusChangedV1 } from './comments-status-changed.v1';
import { commentsSubmittedV1 } from './comments-submitted.v1';
import { consentRecordedV1 } from './consent-recorded.v1';
import { privacyRequestsV1 } from './privacy-requests.v1';
import { sitesChangedV1 } from './sites-changed.v1';
import { threadsChangedV1 } from './threads-changed.v1';

export * from './api-keys-changed.v1';
export * from './comments-reported.v1';
export * from './comments-status-changed.v1';
export * from './comments-submitted.v1';
export * from './consent-recorded.v1';
export * from './privacy-requests.v1';
export * from './sites-changed.v1';
export * from './threads-changed.v1';

/** Every event the stack produces; a breaking change adds a v2 member beside v1. */
export const anyEventSchema = z.union([
  sitesChangedV1,
  apiKeysChangedV1,
  commentsSubmittedV1,
  commentsStatusChangedV1,
  commentsReportedV1,
  privacyRequestsV1,
  consentRecordedV1,
  threadsChangedV1,
]);
export type AnyEvent = z.infer<typeof anyEventSchema>;
