import fc from 'fast-check';
import request from 'supertest';
import { ORIGIN, buildComment, buildSite, seedSite, startIntake, type IntakeHarness } from './support/intake';

let h: IntakeHarness;
// Hundreds of real requests per property: allow for a busy machine.
jest.setTimeout(120_000);

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

const HOSTILE = [
  "'; DROP TABLE intake.comments; --",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '\u0000',
  '\u202Egnp.exe',
  '\uD800',
  'Ze\u0301\u0301\u0301',
  '😀'.repeat(50),
  '%00%27',
  '{{7*7}}',
  '\r\n\r\nHTTP/1.1 200 OK',
];

// Strings from every corner: any UTF-16 unit (lone surrogates, controls), graphemes, hostile snippets.
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom(...HOSTILE),
  fc.tuple(fc.constantFrom(...HOSTILE), fc.string()).map(([a, b]) => a + b),
);
const anyValue = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(hostileString, { maxLength: 3 }), fc.object({ maxDepth: 2 }));
const field = fc.constantFrom('name', 'email', 'website', 'text', 'parentId', 'pageUrl', 'pageTitle', 'formToken', 'hp', '__proto__', 'constructor');

/** Percent-encodes the UTF-8 bytes (lone surrogates included), so any string fits a URL or header. */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

async function expectNo5xx(res: request.Response): Promise<void> {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.status).toBe(res.status);
  }
}

describe('hostile input never causes a 5xx', () => {
  it('when any field holds any string or value, then the answer is 202 or a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(field, anyValue, { maxKeys: 4 }), async (overrides) => {
        const res = await request(h.url).post('/v1/sites/daily/threads/prop/comments').set('Origin', ORIGIN).send(buildComment(overrides));
        await expectNo5xx(res);
      }),
      { numRuns: 150 },
    );
  });

  it('when the body is arbitrary bytes labelled as JSON, then the answer is a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        const res = await request(h.url)
          .post('/v1/sites/daily/threads/prop/comments')
          .set('Origin', ORIGIN)
          .set('Content-Type', 'application/json')
          .send(Buffer.from(bytes));
        await expectNo5xx(res);
      }),
      { numRuns: 80 },
    );
  });

  it('when the thread id, query and Idempotency-Key are hostile, then reads and writes answer below 500', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, hostileString, async (thread, key) => {
        const path = `/v1/sites/daily/threads/${pct(thread)}`;
        const write = await request(h.url)
          .post(`${path}/comments`)
          .set('Origin', ORIGIN)
          .set('Idempotency-Key', pct(key).slice(0, 200) || 'x')
          .send(buildComment());
        await expectNo5xx(write);
        const read = await request(h.url).get(`${path}/comments?cursor=${pct(key)}&order=${pct(thread)}&limit=${pct(key)}`);
        await expectNo5xx(read);
        const counts = await request(h.url).get(`/v1/sites/daily/counts?threads=${pct(`${thread},${key}`)}`);
        await expectNo5xx(counts);
      }),
      { numRuns: 80 },
    );
  });
});
