import { Router } from 'express';
import { z } from 'zod';

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

/** How RFC 9457 problem details look in an OpenAPI document (the `Problem` every error answers). */
export const problemDocSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
}).meta({ id: 'Problem' }); // one component, referenced by every error response

/** An OpenAPI JSON body or response with this schema. */
export const jsonContent = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

/** OpenAPI responses for these status codes, each a problem-details body. */
export const problemResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: problemDocSchema } } }]));
