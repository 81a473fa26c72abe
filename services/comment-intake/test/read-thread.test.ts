import request from 'supertest';
import { approvedComment, buildComment, buildSite, decide, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily', { comments: { maxDepth: 2, pageSize: 3 } }));
  await seedSite(h, buildSite('flat', { comments: { maxDepth: 0 } }));
});

afterAll(async () => {
  await h.stop();
});

const read = (site: string, thread: string, query = '') => request(h.url).get(`/v1/sites/${site}/threads/${thread}/comments${query}`);

describe('reading a thread', () => {
  it('when a thread has no comments yet, then it is an empty page with total 0', async () => {
    const res = await read('daily', 'empty');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ site: 'daily', thread: 'empty', total: 0, items: [], nextCursor: null });
  });

  it('when comments are pending, held or approved, then only approved ones are listed and counted', async () => {
    const a = await approvedComment(h, 'daily', 'mixed', { text: 'approved one' });
    await submit(h, 'daily', 'mixed', buildComment({ text: 'still pending' }));
    const held = await submit(h, 'daily', 'mixed', buildComment({ text: 'held one' }));
    await decide(h, 'daily', held.body.id, 'pending', 'held');
    const res = await read('daily', 'mixed');
    expect(res.body.total).toBe(1);
    expect(res.body.items.map((c: { id: string }) => c.id)).toEqual([a.id]);
    expect(JSON.stringify(res.body)).not.toMatch(/email|ip_|authorToken|example\.org"/);
  });

  it('when replies go deeper than the site allows, then they join the deepest allowed level', async () => {
    const root = await approvedComment(h, 'daily', 'deep', { text: 'root' });
    const r1 = await approvedComment(h, 'daily', 'deep', { text: 'level 1', parentId: root.id });
    const r2 = await approvedComment(h, 'daily', 'deep', { text: 'level 2', parentId: r1.id });
    const r3 = await approvedComment(h, 'daily', 'deep', { text: 'level 3', parentId: r2.id });
    const res = await read('daily', 'deep');
    const [top] = res.body.items;
    expect(top.id).toBe(root.id);
    expect(top.replies.map((c: { id: string }) => c.id)).toEqual([r1.id]);
    // maxDepth 2: level 3 sits beside its parent at level 2, still naming its real parent.
    expect(top.replies[0].replies.map((c: { id: string }) => c.id)).toEqual([r2.id, r3.id]);
    expect(top.replies[0].replies[1].parentId).toBe(r2.id);
    expect(res.body.total).toBe(4);
  });

  it('when a reply’s parent is not public, then the reply hangs under the nearest public ancestor', async () => {
    const root = await approvedComment(h, 'daily', 'gap', { text: 'root' });
    const hidden = await submit(h, 'daily', 'gap', buildComment({ text: 'hidden', parentId: root.id }));
    const reply = await approvedComment(h, 'daily', 'gap', { text: 'reply to hidden', parentId: hidden.body.id });
    const res = await read('daily', 'gap');
    expect(res.body.items[0].replies.map((c: { id: string }) => c.id)).toEqual([reply.id]);
  });

  it('when the site allows no nesting, then replies follow their top-level comment, flat', async () => {
    const root = await approvedComment(h, 'flat', 'f1', { text: 'root' });
    const reply = await approvedComment(h, 'flat', 'f1', { text: 'reply', parentId: root.id });
    const res = await read('flat', 'f1');
    expect(res.body.items.map((c: { id: string; replies: unknown[] }) => [c.id, c.replies.length])).toEqual([
      [root.id, 0],
      [reply.id, 0],
    ]);
  });

  it('when there are more top-level comments than a page, then keyset cursors walk them all once, oldest or newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await approvedComment(h, 'daily', 'pages', { text: `comment ${i}` })).id);
    const walk = async (order: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await read('daily', 'pages', `?order=${order}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(3);
        expect(res.body.total).toBe(7);
        seen.push(...res.body.items.map((c: { id: string }) => c.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return seen;
    };
    expect(await walk('oldest')).toEqual(ids);
    expect(await walk('newest')).toEqual([...ids].reverse());
  });

  it('when the cursor was not made by the API, then 400 names query.cursor', async () => {
    const res = await read('daily', 'pages', '?cursor=bm9wZQ');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('query.cursor');
  });

  it('when a comment holds markup and links, then html escapes everything and links only bare http(s) URLs', async () => {
    await approvedComment(h, 'daily', 'html', { text: '<script>alert(1)</script> see https://example.org/a?b=1&c=2 and javascript:alert(1)' });
    const res = await read('daily', 'html');
    const html: string = res.body.items[0].html;
    expect(html).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt; see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener" target="_blank">https://example.org/a?b=1&amp;c=2</a> and javascript:alert(1)</p>',
    );
    expect(res.body.items[0].text).toContain('<script>');
  });
});
