import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { AppError, ErrorCode, jsonOnly, parseOrThrow, problemMiddleware, requestId, routeNotFound, silentLogger } from '../../src';

function app() {
  const a = express();
  a.use(requestId);
  a.get('/boom', () => {
    throw new Error('secret internals: password=hunter2');
  });
  a.get('/conflict', () => {
    throw new AppError(ErrorCode.CONFLICT, 409, 'State changed.', { details: { current: 'approved' } });
  });
  a.post('/things', ...jsonOnly('1kb'), (req, res) => {
    const body = parseOrThrow(z.object({ name: z.string().min(1), age: z.number().int() }), req.body, 'body');
    res.status(201).json(body);
  });
  a.use(routeNotFound);
  a.use(problemMiddleware(silentLogger));
  return a;
}

describe('problem details', () => {
  it('when a handler throws an unknown error, then the answer is a 500 problem with no internals', async () => {
    const res = await request(app()).get('/boom').set('x-request-id', 'abc-123');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', requestId: 'abc-123' });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
  });

  it('when an AppError carries details, then they become extension members', async () => {
    const res = await request(app()).get('/conflict');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'CONFLICT', title: 'Conflict', detail: 'State changed.', current: 'approved' });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('when a body field is invalid, then the 422 names the field', async () => {
    const res = await request(app()).post('/things').send({ name: '', age: 1.5 });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.age', 'body.name']);
  });

  it('when the body is not JSON, then 400 MALFORMED_JSON', async () => {
    const res = await request(app()).post('/things').set('content-type', 'application/json').send('{"name":');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
  });

  it('when the body is form-encoded, then 415', async () => {
    const res = await request(app()).post('/things').type('form').send('name=x');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('when the body is too large, then 413', async () => {
    const res = await request(app()).post('/things').send({ name: 'x'.repeat(5000), age: 1 });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('when no route matches, then 404 ROUTE_NOT_FOUND', async () => {
    const res = await request(app()).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ROUTE_NOT_FOUND');
  });

  it('when a caller sends a hostile request id, then a fresh one is used', async () => {
    const res = await request(app()).get('/nope').set('x-request-id', '<script>alert(1)</script>');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
