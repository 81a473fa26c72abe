import request from 'supertest';
import { startIntake, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
});

afterAll(async () => {
  await h.stop();
});

describe('the OpenAPI document', () => {
  it('when /openapi.json is fetched, then it is OpenAPI 3.1 with every public route and the submit body schema', async () => {
    const res = await request(h.url).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/sites/{site}/threads/{thread}/comments',
        '/v1/sites/{site}/threads/{thread}/form-token',
        '/v1/sites/{site}/threads/{thread}/events',
        '/v1/sites/{site}/counts',
        '/v1/comments/{id}',
        '/v1/comments/{id}/reports',
        '/v1/comments/{id}/export',
        '/v1/comments/{id}/erase',
        '/v1/admin/sites/{site}/privacy-requests',
      ]),
    );
    const post = res.body.paths['/v1/sites/{site}/threads/{thread}/comments'].post;
    const schema = post.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['name', 'email', 'website', 'text', 'parentId']));
    expect(post.responses['202']).toBeDefined();
  });

  it('when a client reads the form token and thread page schemas, then both say whether the thread is closed', async () => {
    const res = await request(h.url).get('/openapi.json');
    const thread = '/v1/sites/{site}/threads/{thread}';
    for (const path of [`${thread}/form-token`, `${thread}/comments`]) {
      const schema = res.body.paths[path].get.responses['200'].content['application/json'].schema;
      expect(schema.properties.closed).toMatchObject({ type: 'boolean' });
      expect(schema.required).toContain('closed');
    }
  });
});
