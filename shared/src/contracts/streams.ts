/** Stream names: the only way services talk to each other besides their public HTTP APIs. */
export const Streams = {
  sitesChanged: 'sites.changed',
  apiKeysChanged: 'api-keys.changed',
  commentsSubmitted: 'comments.submitted',
  commentsStatusChanged: 'comments.status-changed',
  commentsReported: 'comments.reported',
  privacyRequests: 'privacy.requests',
  consentRecorded: 'consent.recorded',
  threadsChanged: 'threads.changed',
} as const;
export type StreamName = (typeof Streams)[keyof typeof Streams];

/**
 * Streams of full snapshots that read models are built from (ADR 0005): a service that joins later
 * reads their whole history, so they are never trimmed by age. Every other stream is an event
 * stream, kept only STREAM_RETENTION_HOURS once its consumers are done with it.
 */
export const SnapshotStreams: readonly StreamName[] = [Streams.sitesChanged, Streams.apiKeysChanged];
export const EventStreams: readonly StreamName[] = Object.values(Streams).filter((s) => !SnapshotStreams.includes(s));

/** Where a message goes after it failed its schema or ran out of deliveries. */
export const deadLetterStream = (stream: string): string => `${stream}.dead`;

/** One consumer group per consuming service: each service sees every message once. */
export const ConsumerGroups = {
  commentIntake: 'comment-intake',
  moderationQueue: 'moderation-queue',
  cookieConsent: 'cookie-consent',
} as const;
