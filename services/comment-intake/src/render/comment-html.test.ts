import fc from 'fast-check';
import { escapeHtml, renderCommentHtml } from './comment-html';

const link = (url: string) => `<a href="${url}" rel="nofollow ugc noopener" target="_blank">${url}</a>`;

describe('renderCommentHtml', () => {
  it('when the text has markup, then every character that could open markup is escaped', () => {
    expect(renderCommentHtml(`<img src=x onerror="alert('x')"> & co`)).toBe('<p>&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; co</p>');
  });

  it('when the text has a bare https URL, then it becomes a nofollow ugc link and trailing punctuation stays text', () => {
    expect(renderCommentHtml('See https://example.org/x.')).toBe(`<p>See ${link('https://example.org/x')}.</p>`);
  });

  it('when a URL ends in a balanced parenthesis, then the parenthesis stays in the link', () => {
    expect(renderCommentHtml('(https://en.wikipedia.org/wiki/Foo_(bar))')).toBe(`<p>(${link('https://en.wikipedia.org/wiki/Foo_(bar)')})</p>`);
  });

  it('when the text has javascript:, data: or protocol-relative URLs, then none becomes a link', () => {
    const html = renderCommentHtml('javascript:alert(1) data:text/html,<b>x</b> //evil.example');
    expect(html).not.toContain('<a ');
  });

  it('when a URL tries to break out of the attribute, then its quotes are escaped', () => {
    expect(renderCommentHtml('https://x.example/"onmouseover="alert(1)')).not.toMatch(/href="[^"]*"onmouseover/);
  });

  it('when the text has blank lines and single newlines, then they become paragraphs and line breaks', () => {
    expect(renderCommentHtml('one\ntwo\n\n\nthree')).toBe('<p>one<br>two</p><p>three</p>');
  });

  it('when any text is rendered, then the only tags are p, br and our links', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const html = renderCommentHtml(text);
        const tags = html.match(/<[^>]*>/g) ?? [];
        for (const tag of tags) {
          expect(tag).toMatch(/^(<p>|<\/p>|<br>|<a href="https?:\/\/[^"<>]*" rel="nofollow ugc noopener" target="_blank">|<\/a>)$/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('when any text is escaped, then unescaping gives it back', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const back = escapeHtml(text).replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);
        expect(back).toBe(text);
      }),
    );
  });
});
