import http from 'node:http';

export interface LiveQueueEvent {
  event: string;
  data: { commentId: string; from: string | null; to: string };
}

/** Opens a site's live queue (server-sent events) with `key` and collects its events until closed. */
export function openLiveQueue(url: string, key: string, site: string) {
  const events: LiveQueueEvent[] = [];
  let status = 0;
  let buffer = '';
  const req = http.get(`${url}/v1/sites/${site}/queue/live`, { headers: { Authorization: `Bearer ${key}` } }, (res) => {
    status = res.statusCode ?? 0;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    });
  });
  req.on('error', () => undefined);
  return { events, status: () => status, close: () => req.destroy() };
}
