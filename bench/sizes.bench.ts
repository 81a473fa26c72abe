/** What the two browser scripts weigh, as served (minified; gzip as sent to browsers), against their budgets. */
import { buildBanner, BANNER_GZIP_BUDGET } from '../services/cookie-consent/src/banner/build-banner';
import { buildWidget, WIDGET_GZIP_BUDGET } from '../services/comment-intake/src/widget';

export async function benchSizes(): Promise<string> {
  const widget = await buildWidget();
  const banner = await buildBanner();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    '| script (JS with its CSS) | minified | gzipped | budget (gzipped) | comparison |',
    '| --- | ---: | ---: | ---: | --- |',
    `| embed.js (comment widget, English inside) | ${kb(widget.bytes)} | ${kb(widget.gzipBytes)} | ${kb(WIDGET_GZIP_BUDGET)} | Artalk's client ~40 KB |`,
    `| banner.js (cookie banner) | ${kb(banner.bytes)} | ${kb(banner.gzipBytes)} | ${kb(BANNER_GZIP_BUDGET)} | cookieconsent v3 ~15.5 KB, Klaro ~67 KB |`,
    '',
    "The widget's other languages (fr, de, es, uk, ru) are separate files of about 1 KB gzipped, fetched only by pages that use them.",
  ].join('\n');
}
