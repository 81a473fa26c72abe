import type { Download } from 'playwright-core';

/** The JSON file the page saved, parsed. */
export async function downloadedJson(download: Download): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of await download.createReadStream()) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
