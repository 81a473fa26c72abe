import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import request from 'supertest';
import { submitCommentBodySchemaFor } from '@parley/shared';
import { WIDGET_GZIP_BUDGET, buildWidget, widgetRoutes, type WidgetBuild } from '@parley/comment-intake/src/widget';
import { LANGUAGES } from '@parley/comment-intake/src/widget/i18n';
import { LANGUAGE_CODES, pickLanguage } from '@parley/comment-intake/src/widget/i18n/pick';
import { checkComment, cleanValue } from '@parley/comment-intake/src/widget/validate';

let build: WidgetBuild;
let app: express.Express;

beforeAll(async () => {
  build = await buildWidget();
  app = express().use(widgetRoutes(build));
});

/** Every key path of a strings object, e.g. `reasons.spam`. */
const keysOf = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keysOf(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));

describe('embed.js build and delivery', () => {
  it('when the widget is built, then JS with its CSS stays within 12 KB gzipped and the SRI matches the code', () => {
    expect(build.gzipBytes).toBeLessThanOrEqual(WIDGET_GZIP_BUDGET);
    expect(build.gzip.length).toBe(build.gzipBytes);
    expect(build.bytes).toBe(Buffer.byteLength(build.js));
    expect(build.sri).toBe(`sha384-${createHash('sha384').update(build.js).digest('base64')}`);
    expect(build.version).toMatch(/^[0-9a-f]{16}$/);
    // Dependency-free and global-free: one IIFE, no console, nothing but window.Parley is read.
    expect(build.js).toMatch(/^("use strict";)?\(\(\)=>\{/);
    expect(build.js).not.toMatch(/console\./);
  });

  it('when /embed.js is fetched, then it is JavaScript, loadable cross-origin, briefly cached and revalidated by ETag', async () => {
    const res = await request(app).get('/embed.js').set('Accept-Encoding', 'identity');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['cache-control']).toMatch(/max-age=300\b/);
    expect(res.text).toBe(build.js);
    const again = await request(app).get('/embed.js').set('If-None-Match', res.headers.etag!);
    expect(again.status).toBe(304);
  });

  it('when a client accepts gzip, then the pre-compressed script is sent', async () => {
    const res = await request(app)
      .get('/embed.js')
      .set('Accept-Encoding', 'gzip')
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(res.headers['content-encoding']).toBe('gzip');
    // superagent inflates what it receives; the stored gzip inflates to the same code.
    expect((res.body as Buffer).toString('utf8')).toBe(build.js);
    expect(gunzipSync(build.gzip).toString('utf8')).toBe(build.js);
  });

  it('when the versioned script is fetched, then it is immutable; another version is not found', async () => {
    const res = await request(app).get(`/embed.${build.version}.js`).set('Accept-Encoding', 'identity');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.text).toBe(build.js);
    expect((await request(app).get('/embed.0123456789abcdef.js')).status).toBe(404);
  });

  it('when a language pack is fetched, then every language has exactly the English keys', async () => {
    expect(Object.keys(LANGUAGES).sort()).toEqual([...LANGUAGE_CODES].sort());
    const english = keysOf(LANGUAGES.en!).filter((k) => !k.startsWith('count.'));
    for (const lang of LANGUAGE_CODES.filter((l) => l !== 'en')) {
      const res = await request(app).get(`/embed.i18n.${lang}.json`);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(keysOf(res.body as object).filter((k) => !k.startsWith('count.'))).toEqual(english);
      expect(Object.keys((res.body as { count: object }).count)).toEqual(expect.arrayContaining(['zero', 'one', 'other']));
    }
    expect((await request(app).get('/embed.i18n.xx.json')).status).toBe(404);
  });

  it('when a page names its language, then the widget picks it, its primary subtag or English', () => {
    expect(pickLanguage(['fr-CA'])).toBe('fr');
    expect(pickLanguage([undefined, 'uk', 'en'])).toBe('uk');
    expect(pickLanguage(['pt-BR', 'nl'])).toBe('en');
  });
});

describe('embed.js validation mirrors the server', () => {
  const limits = { maxLength: 50, requireEmail: false };
  const server = submitCommentBodySchemaFor(limits);
  const cases: Record<string, string>[] = [
    { text: 'Hello', name: 'Ann' },
    { text: '', name: 'Ann' },
    { text: '   ', name: 'Ann' },
    { text: 'Hello', name: '' },
    { text: 'x'.repeat(50), name: 'Ann' },
    { text: 'x'.repeat(51), name: 'Ann' },
    { text: 'Hello', name: 'n'.repeat(101) },
    { text: 'Hello\u0007', name: 'Ann' },
    { text: 'Line one\nLine two', name: 'Ann' },
    { text: 'Hello', name: 'Ann\nB' },
    { text: 'Hello', name: 'A\u202Eb' },
    { text: 'Hello', name: 'Ann', website: 'https://ann.example.org' },
    { text: 'Hello', name: 'Ann', website: 'javascript:alert(1)' },
    { text: 'Hello', name: 'Ann', website: 'ann.example.org' },
    { text: 'Hello', name: 'Ann', email: 'ann@example.org' },
    { text: 'Hello', name: 'Ann', email: 'not an email' },
  ];
  it.each(cases)('when the body is %j, then the browser and the server agree', (c) => {
    const v = { text: cleanValue(c.text ?? '', true), name: cleanValue(c.name ?? '', false), email: cleanValue(c.email ?? '', false), website: cleanValue(c.website ?? '', false) };
    const client = checkComment(v, limits).length === 0;
    const body = { text: c.text, name: c.name, email: c.email ?? null, website: c.website ?? null };
    expect(client).toBe(server.safeParse(body).success);
  });

  it('when the email is plausible but not what the server accepts, then the browser lets the server decide', () => {
    const v = { text: 'Hi', name: 'Mo', email: 'mo@localhost', website: '' };
    expect(checkComment(v, limits)).toEqual([]);
    expect(server.safeParse({ ...v, email: 'mo@localhost', website: null }).success).toBe(false);
  });

  it('when the site requires an email, then an empty one is refused on both sides', () => {
    const strict = { maxLength: 50, requireEmail: true };
    expect(checkComment({ text: 'Hi', name: 'Mo', email: '', website: '' }, strict)).toEqual([{ field: 'email', problem: 'required' }]);
    expect(submitCommentBodySchemaFor(strict).safeParse({ text: 'Hi', name: 'Mo', email: null }).success).toBe(false);
  });
});
