import request from 'supertest';

/** A thin client for the operators' API, as a test would call it with curl. */
export function adminClient(url: string, key: string) {
  const auth = { Authorization: `Bearer ${key}` };
  return {
    createSite: (body: object) => request(url).post('/v1/admin/sites').set(auth).send(body),
    listSites: () => request(url).get('/v1/admin/sites').set(auth),
    getSite: (id: string) => request(url).get(`/v1/admin/sites/${id}`).set(auth),
    updateSite: (id: string, body: object) => request(url).patch(`/v1/admin/sites/${id}`).set(auth).send(body),
    createKey: (body: object) => request(url).post('/v1/admin/keys').set(auth).send(body),
    listKeys: () => request(url).get('/v1/admin/keys').set(auth),
    revokeKey: (id: string) => request(url).delete(`/v1/admin/keys/${id}`).set(auth),
    whoami: () => request(url).get('/v1/whoami').set(auth),
  };
}

export const BOOTSTRAP_KEY = 'pk_bootstrapKy1_abcdefghijklmnopqrstuvwxyz012345';
