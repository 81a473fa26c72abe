import type { Server } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { z } from 'zod';
import { parseOrThrow, siteOf, threadIdSchema } from '@parley/shared';
import type { ThreadLiveHub } from '../domain/thread-live-hub';

const threadParams = z.object({ site: z.string(), thread: threadIdSchema });

/**
 * `text/event-stream` of one thread: `comment` (newly approved, rendered) and `removed` events.
 * A comment line every 25 s keeps proxies from closing an idle stream. Streams never finish on
 * their own, so once the server stops listening (graceful shutdown) they are ended within a
 * second; the browser's EventSource reconnects to another instance.
 */
export function liveHandler(hub: ThreadLiveHub, heartbeatMs = 25_000): RequestHandler {
  const open = new Set<{ res: Response; server?: Server }>();
  let sweeper: NodeJS.Timeout | undefined;
  let lastBeat = Date.now();
  const sweep = () => {
    const beat = Date.now() - lastBeat >= heartbeatMs;
    if (beat) lastBeat = Date.now();
    for (const stream of open) {
      if (stream.server && !stream.server.listening) stream.res.end();
      else if (beat) stream.res.write(': keep-alive\n\n');
    }
  };
  return (req, res) => {
    const site = siteOf(res);
    const { thread } = parseOrThrow(threadParams, req.params, 'params');
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 5000\n\n');
    const stream = { res, server: (req.socket as unknown as { server?: Server }).server };
    open.add(stream);
    if (!sweeper) {
      sweeper = setInterval(sweep, Math.min(1000, heartbeatMs));
      sweeper.unref();
    }
    const unsubscribe = hub.subscribe(site.id, thread, (event) => {
      if (event.type === 'closed') {
        res.write(`event: closed\ndata: ${JSON.stringify({ closed: event.closed })}\n\n`);
        return;
      }
      const data = event.type === 'comment' ? event.comment : { id: event.id };
      const id = event.type === 'comment' ? event.comment.id : event.id;
      res.write(`event: ${event.type}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
    });
    res.on('close', () => {
      unsubscribe();
      open.delete(stream);
      if (open.size === 0 && sweeper) {
        clearInterval(sweeper);
        sweeper = undefined;
      }
    });
  };
}
