import type {
  ApiKeysChangedV1,
  CommentsReportedV1,
  CommentsStatusChangedV1,
  CommentsSubmittedV1,
  ConsentRecordedV1,
  PrivacyRequestsV1,
  SitesChangedV1,
  ThreadsChangedV1,
} from './events';

/**
 * One example of every event. Producer and consumer tests both parse these, so a schema change
 * that breaks either side fails a test before it reaches a stream.
 */
const at = '2026-01-15T10:00:00.000Z';
const hash = (c: string) => c.repeat(64);

export const fixtures = {
  sitesChanged: {
    id: '01943c4e-8a00-7000-8000-000000000001',
    type: 'sites.changed',
    version: 1,
    occurredAt: at,
    site: 'thinktank',
    payload: {
      site: {
        id: 'thinktank',
        name: 'The Think Tank',
        allowedOrigins: ['https://thinktank.example.org'],
        settings: {
          comments: {
            maxLength: 5000,
            maxDepth: 3,
            pageSize: 50,
            editWindowMinutes: 15,
            closeAfterDays: 0,
            requireEmail: false,
            minSubmitSeconds: 3,
            language: 'en',
          },
          moderation: { mode: 'post', linkLimit: 2, reportThreshold: 3 },
        },
        status: 'active',
        version: 1,
        updatedAt: at,
      },
    },
  } satisfies SitesChangedV1,
  apiKeysChanged: {
    id: '01943c4e-8a00-7000-8000-000000000002',
    type: 'api-keys.changed',
    version: 1,
    occurredAt: at,
    site: '*',
    payload: {
      key: {
        id: '01943c4e-8a00-7000-8000-0000000000a1',
        prefix: 'pk_abcd1234',
        hash: hash('a'),
        role: 'moderator',
        sites: ['thinktank'],
        revokedAt: null,
        version: 1,
      },
    },
  } satisfies ApiKeysChangedV1,
  commentsSubmitted: {
    id: '01943c4e-8a00-7000-8000-000000000003',
    type: 'comments.submitted',
    version: 1,
    occurredAt: at,
    site: 'thinktank',
    payload: {
      commentId: '01943c4e-8a00-7000-8000-0000000000c1',
      threadId: 'peace-talks-2025',
      threadUrl: 'https://thinktank.example.org/peace-talks-2025',
      parentId: null,
      author: {
        name: 'Ada',
        website: null,
        emailDomain: 'example.org',
        emailHash: hash('b'),
        ipHash: hash('c'),
        ipPrefix: '203.0.113.0/24',
        fingerprint: hash('d'),
      },
      text: 'A thoughtful reply to the article.',
      signals: { honeypot: false, elapsedMs: 42_000, formToken: 'valid' },
      submittedAt: at,
    },
  } satisfies CommentsSubmittedV1,
  commentsStatusChanged: {
    id: '01943c4e-8a00-7000-8000-000000000004',
    type: 'comments.status-changed',
    version: 1,
    occurredAt: at,
    site: 'thinktank',
    payload: {
      commentId: '01943c4e-8a00-7000-8000-0000000000c1',
      threadId: 'peace-talks-2025',
      from: 'pending',
      to: 'approved',
      reasons: [{ code: 'APPROVED', detail: 'no rule held the comment' }],
      actor: { kind: 'pipeline', keyId: null },
      changedAt: at,
    },
  } satisfies CommentsStatusChangedV1,
  commentsReported: {
    id: '01943c4e-8a00-7000-8000-000000000005',
    type: 'comments.reported',
    version: 1,
    occurredAt: at,
    site: 'thinktank',
    payload: {
      reportId: '01943c4e-8a00-7000-8000-0000000000e1',
      commentId: '01943c4e-8a00-7000-8000-0000000000c1',
      threadId: 'peace-talks-2025',
      reason: 'abuse',
      note: null,
      reporterFingerprint: hash('e'),
      reportedAt: at,
    },
  } satisfies CommentsReportedV1,
  privacyRequests: {
    id: '01943c4e-8a00-7000-8000-000000000006',
    type: 'privacy.requests',
    version: 1,
    occurredAt: at,
    site: 'thinktank',
    payload: {
      requestId: '01943c4e-8a00-7000-8000-0000000000f1',
      kind: 'erase',
      subject: { emailHash: hash('b'), authorTokenHash: null, consentId: null },
      requestedBy: { kind: 'operator', keyId: '01943c4e-8a00-7000-8000-0000000000a1' },
      requestedAt: at,
    },
  } satisfies PrivacyRequestsV1,
  consentRecorded: {
    id: '01943c4e-8a00-7000-8000-000000000007',
    type: 'consent.recorded',
    version: 1,
    occurredAt: at,
    site: 'thinktank',
    payload: {
      recordId: '01943c4e-8a00-7000-8000-0000000000d1',
      consentId: '01943c4e-8a00-7000-8000-0000000000d2',
      revision: 1,
      action: 'custom',
      accepted: ['necessary', 'functional'],
      rejected: ['analytics', 'marketing'],
      gpc: false,
      recordedAt: at,
    },
  } satisfies ConsentRecordedV1,
  threadsChanged: {
    id: '01943c4e-8a00-7000-8000-000000000008',
    type: 'threads.changed',
    version: 1,
    occurredAt: at,
    site: 'thinktank',
    payload: { threadId: 'peace-talks-2025', closedAt: at },
  } satisfies ThreadsChangedV1,
};
