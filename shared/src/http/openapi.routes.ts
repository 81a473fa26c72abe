import { Router } from 'express';

/** Serves a service's OpenAPI document at `/openapi.json`, generated once on first request. */
export function openApiRoute(buildDocument: () => unknown): Router {
  const router = Router();
  let document: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= JSON.stringify(buildDocument());
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(document);
  });
  return router;
}
