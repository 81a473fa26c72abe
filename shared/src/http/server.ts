import { createServer, type RequestListener, type Server } from 'node:http';
import type { Express } from 'express';
import type { HttpApp } from './fast/frame';

/** Listens on a port (0 = any free one) and resolves with the bound port. */
export function listen(app: HttpApp | Express, port: number, host = '0.0.0.0'): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer(app as RequestListener);
    server.once('error', reject);
    // Keep-alive sockets must not outlive a graceful shutdown by much.
    server.keepAliveTimeout = 5_000;
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : port });
    });
  });
}

/** Stops accepting connections and waits for in-flight requests; idle keep-alive sockets are closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
