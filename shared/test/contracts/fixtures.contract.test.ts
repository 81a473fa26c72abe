import {
  anyEventSchema,
  apiKeysChangedV1,
  commentsReportedV1,
  commentsStatusChangedV1,
  commentsSubmittedV1,
  consentRecordedV1,
  fixtures,
  makeEnvelope,
  privacyRequestsV1,
  sitesChangedV1,
  threadsChangedV1,
} from '../../src';

const cases = [
  ['sites.changed', sitesChangedV1, fixtures.sitesChanged],
  ['api-keys.changed', apiKeysChangedV1, fixtures.apiKeysChanged],
  ['comments.submitted', commentsSubmittedV1, fixtures.commentsSubmitted],
  ['comments.status-changed', commentsStatusChangedV1, fixtures.commentsStatusChanged],
  ['comments.reported', commentsReportedV1, fixtures.commentsReported],
  ['privacy.requests', privacyRequestsV1, fixtures.privacyRequests],
  ['consent.recorded', consentRecordedV1, fixtures.consentRecorded],
  ['threads.changed', threadsChangedV1, fixtures.threadsChanged],
] as const;

describe('event contracts', () => {
  it.each(cases)('when the %s fixture is parsed by its schema, then it is accepted unchanged', (_name, schema, fixture) => {
    expect(schema.parse(fixture)).toEqual(fixture);
    expect(anyEventSchema.parse(fixture)).toEqual(fixture);
  });

  it.each(cases)('when a %s message carries another type, then its schema refuses it', (_name, schema, fixture) => {
    expect(schema.safeParse({ ...fixture, type: 'something.else' }).success).toBe(false);
    expect(schema.safeParse({ ...fixture, version: 2 }).success).toBe(false);
  });

  it('when a payload misses a field, then the schema names it', () => {
    const { commentId: _dropped, ...payload } = fixtures.commentsSubmitted.payload;
    const r = commentsSubmittedV1.safeParse({ ...fixtures.commentsSubmitted, payload });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['payload', 'commentId']);
  });

  it('when a thread is reopened, then threads.changed carries a null closedAt; a date that is not ISO is refused', () => {
    const reopened = { ...fixtures.threadsChanged, payload: { ...fixtures.threadsChanged.payload, closedAt: null } };
    expect(threadsChangedV1.parse(reopened)).toEqual(reopened);
    const garbled = { ...fixtures.threadsChanged, payload: { ...fixtures.threadsChanged.payload, closedAt: 'yesterday' } };
    expect(threadsChangedV1.safeParse(garbled).error?.issues[0]?.path).toEqual(['payload', 'closedAt']);
  });

  it('when an envelope is made, then it has a UUIDv7 id, the time and the site', () => {
    const e = makeEnvelope('comments.reported', 1, 'thinktank', fixtures.commentsReported.payload, new Date('2026-02-01T00:00:00Z'));
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(e.occurredAt).toBe('2026-02-01T00:00:00.000Z');
    expect(commentsReportedV1.parse(e)).toEqual(e);
  });
});
