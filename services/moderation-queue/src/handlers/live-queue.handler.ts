import type { Server } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { siteOf } from '@parley/shared';
import { queueMovement, type QueueLiveHub } from '../domain/queue-live-hub';

/**
 * `text/event-stream` of one site's queue: an `entered`, `left` or `changed` event per committed
 * state change. Heartbeat comments keep proxies from closing an idle stream; once the server stops
 * listening (shutdown) open streams end and clients reconnect elsewhere.
 */
export function liveQueueHandler(hub: QueueLiveHub, heartbeatMs: number): RequestHandler {
  const open = new Set<{ res: Response; server?: Server; beat: number }>();
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const s of open) {
      if (s.server && !s.server.listening) s.res.end();
      else if (now - s.beat >= heartbeatMs) {
        s.beat = now;
        s.res.write(': keep-alive\n\n');
      }
    }
  };
  return (req, res) => {
    const site = siteOf(res);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 5000\n\n');
    const stream = { res, server: (req.socket as unknown as { server?: Server }).server, beat: Date.now() };
    open.add(stream);
    if (!sweeper) {
      sweeper = setInterval(sweep, Math.min(1000, heartbeatMs));
      sweeper.unref();
    }
    const unsubscribe = hub.subscribe(site.id, (c) => {
      res.write(`event: ${queueMovement(c)}\ndata: ${JSON.stringify({ commentId: c.commentId, threadId: c.threadId, from: c.from, to: c.to, at: c.at })}\n\n`);
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
