/**
 * The operators' command line (`npm run cli -- <resource> <action> [options]`). Works on the
 * database directly, through the same use cases as the HTTP API; events go out through the outbox
 * (the running service's relay publishes them). In embedded mode stop `npm start` first.
 */
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import {
  acquireDataDirLock,
  createApiKeyBodySchema,
  createLogger,
  createSiteBodySchema,
  loadConfig,
  migrateService,
  openDatabase,
  updateSiteBodySchema,
  type ZodIssueLike,
} from '@parley/shared';
import { configSchema } from '../config';
import type { ModerationDb } from '../db/tables';
import { createApiKey, revokeApiKey } from '../domain/api-keys';
import { createSite, updateSite } from '../domain/sites';
import { apiKeyRowToView, listApiKeys } from '../repositories/api-key.repository';
import { listSites } from '../repositories/site.repository';
import { moderationQueue } from '../service';

const USAGE = `usage: npm run cli -- <command> [options]

  site create --id ID --name NAME [--origin URL]... [--settings JSON]
  site update ID [--name NAME] [--origin URL]... [--status active|closed] [--settings JSON]
  site list
  key create --role admin|moderator --site ID|* [--site ID]... [--label TEXT]
  key list
  key revoke KEY_ID
`;

type Out = (value: unknown) => void;

export async function runCli(argv: string[], db: Kysely<ModerationDb>, out: Out): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      origin: { type: 'string', multiple: true },
      settings: { type: 'string' },
      status: { type: 'string' },
      role: { type: 'string' },
      site: { type: 'string', multiple: true },
      label: { type: 'string' },
    },
  });
  const [resource, action, target] = positionals;
  const ctx = { db, afterCommit: () => undefined };
  const cli = { keyId: null };
  const settings = values.settings ? (JSON.parse(values.settings) as unknown) : undefined;
  switch (`${resource} ${action}`) {
    case 'site create':
      return out(await createSite(ctx, cli, parse(createSiteBodySchema, { id: values.id, name: values.name, allowedOrigins: values.origin, settings })));
    case 'site update':
      if (!target) throw new CliError('site update needs the site id');
      return out(
        await updateSite(ctx, cli, target, parse(updateSiteBodySchema, { name: values.name, allowedOrigins: values.origin, status: values.status, settings })),
      );
    case 'site list':
      return out(await listSites(db));
    case 'key create': {
      const { key, secret } = await createApiKey(ctx, cli, parse(createApiKeyBodySchema, { role: values.role, sites: values.site, label: values.label }));
      return out({ ...key, secret, note: 'Keep the secret now: it is not shown again.' });
    }
    case 'key list':
      return out((await listApiKeys(db)).map(apiKeyRowToView));
    case 'key revoke':
      if (!target) throw new CliError('key revoke needs the key id');
      return out(await revokeApiKey(ctx, cli, target));
    default:
      throw new CliError(USAGE);
  }
}

export class CliError extends Error {}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: ZodIssueLike[] } } }, value: Record<string, unknown>): T {
  const clean = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
  const r = schema.safeParse(clean);
  if (!r.success) throw new CliError(r.error.issues.map((i) => `--${String(i.path[0] ?? '?')}: ${i.message}`).join('\n'));
  return r.data;
}

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  const logger = createLogger('cli', 'warn');
  const release = config.DATABASE_URL ? async () => undefined : await acquireDataDirLock(config.DATA_DIR);
  const db = await openDatabase(config, logger);
  try {
    await migrateService(db, moderationQueue, logger);
    await runCli(process.argv.slice(2), db.db as Kysely<ModerationDb>, (v) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`));
  } finally {
    await db.close();
    await release();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    const msg = err instanceof CliError ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    process.stderr.write(`${msg}\n`);
    process.exit(2);
  });
}
