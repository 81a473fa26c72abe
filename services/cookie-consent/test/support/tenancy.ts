import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Streams, generateApiKey, makeEnvelope, type ApiKeyRole } from '@parley/shared';
import { eventually, type TestInfraHandle } from '@parley/shared/testing';

const NOW = () => new Date().toISOString();

/**
 * Announces a site the way moderation-queue does (a `sites.changed` envelope on the transport) and
 * waits until cookie-consent's read model holds it.
 */
export async function announceSite(infra: TestInfraHandle, id: string, allowedOrigins: string[], version = 1): Promise<void> {
  const site = {
    id,
    name: `Site ${id}`,
    allowedOrigins,
    settings: {
      comments: { maxLength: 5000, maxDepth: 3, pageSize: 50, editWindowMinutes: 15, closeAfterDays: 0, requireEmail: false, minSubmitSeconds: 3, language: 'en' },
      moderation: { mode: 'post' as const, linkLimit: 2, reportThreshold: 3 },
    },
    status: 'active' as const,
    version,
    updatedAt: NOW(),
  };
  await infra.transport.publish(Streams.sitesChanged, makeEnvelope(Streams.sitesChanged, 1, id, { site }));
  await eventually(async () => {
    const r = await sql<{ version: number }>`select version from consent.sites where id = ${id}`.execute(infra.db.db);
    return r.rows[0]?.version === version;
  }, 10_000);
}

/** Announces a new API key on `api-keys.changed`, waits for the read model, and returns its secret. */
export async function announceKey(infra: TestInfraHandle, role: ApiKeyRole, sites: string[]): Promise<string> {
  const { secret, prefix, hash } = generateApiKey();
  const key = { id: randomUUID(), prefix, hash, role, sites, revokedAt: null, version: 1 };
  await infra.transport.publish(Streams.apiKeysChanged, makeEnvelope(Streams.apiKeysChanged, 1, '*', { key }));
  await eventually(async () => {
    const r = await sql<{ id: string }>`select id from consent.api_keys where hash = ${hash}`.execute(infra.db.db);
    return r.rows.length === 1;
  }, 10_000);
  return secret;
}
