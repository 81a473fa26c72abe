import { get, type ClientRequest } from 'node:http';

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** A minimal EventSource for tests: connects, parses events, and closes. */
export function openEventStream(url: string): Promise<{ events: SseEvent[]; status: number; headers: Record<string, unknown>; close(): void }> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let req: ClientRequest | undefined = undefined;
    req = get(url, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const e: SseEvent = { event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            const [field, ...rest] = line.split(':');
            const value = rest.join(':').replace(/^ /, '');
            if (field === 'event') e.event = value;
            else if (field === 'id') e.id = value;
            else if (field === 'data') {
              e.data += value;
              hasData = true;
            }
          }
          if (hasData) events.push(e);
        }
      });
      res.on('error', () => undefined);
      resolve({ events, status: res.statusCode ?? 0, headers: res.headers, close: () => req?.destroy() });
    });
    req.on('error', (err) => {
      if (!events.length) reject(err);
    });
  });
}
