import { DEV_SECRETS_KEY, configSchema, moderationConfig } from './config';

const KEY = 'cd'.repeat(32);

describe('moderation configuration', () => {
  it('when MODERATION_SECRETS_KEY is unset outside production, then the labelled development key is used', () => {
    expect(moderationConfig({ NODE_ENV: 'test' }).MODERATION_SECRETS_KEY.equals(DEV_SECRETS_KEY)).toBe(true);
  });

  it('when MODERATION_SECRETS_KEY is unset in production, then the configuration is refused naming it', () => {
    const r = configSchema.safeParse({ NODE_ENV: 'production' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['MODERATION_SECRETS_KEY']);
  });

  it('when MODERATION_SECRETS_KEY is not 64 hex characters, then it is refused without echoing it', () => {
    const r = configSchema.safeParse({ NODE_ENV: 'production', MODERATION_SECRETS_KEY: 'secret-value' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).not.toContain('secret-value');
  });

  it('when the parsed configuration is parsed again, then the key is unchanged', () => {
    const once = moderationConfig({ NODE_ENV: 'production', MODERATION_SECRETS_KEY: KEY });
    expect(moderationConfig(once).MODERATION_SECRETS_KEY.toString('hex')).toBe(KEY);
  });

  it('when the retention settings are unset, then unpublished comments keep personal data 30 days, every comment its network data 180 days, and the job runs hourly; 0 days keeps everything', () => {
    expect(moderationConfig({ NODE_ENV: 'test' })).toMatchObject({ RETENTION_UNPUBLISHED_DAYS: 30, RETENTION_NETWORK_DAYS: 180, RETENTION_INTERVAL_MS: 3_600_000 });
    const given = moderationConfig({ NODE_ENV: 'test', RETENTION_UNPUBLISHED_DAYS: '0', RETENTION_NETWORK_DAYS: '0', RETENTION_INTERVAL_MS: '60000' });
    expect(given).toMatchObject({ RETENTION_UNPUBLISHED_DAYS: 0, RETENTION_NETWORK_DAYS: 0, RETENTION_INTERVAL_MS: 60_000 });
    expect(moderationConfig(given)).toMatchObject({ RETENTION_UNPUBLISHED_DAYS: 0, RETENTION_NETWORK_DAYS: 0, RETENTION_INTERVAL_MS: 60_000 });
    expect(moderationConfig({ NODE_ENV: 'test', RETENTION_NETWORK_DAYS: '365' }).RETENTION_NETWORK_DAYS).toBe(365);
  });

  it('when a retention setting is negative, fractional or an interval under a second, then the configuration is refused naming it', () => {
    for (const [name, value] of [
      ['RETENTION_UNPUBLISHED_DAYS', '-1'],
      ['RETENTION_UNPUBLISHED_DAYS', '1.5'],
      ['RETENTION_UNPUBLISHED_DAYS', 'thirty'],
      ['RETENTION_NETWORK_DAYS', '-1'],
      ['RETENTION_NETWORK_DAYS', '0.5'],
      ['RETENTION_NETWORK_DAYS', 'half a year'],
      ['RETENTION_INTERVAL_MS', '999'],
    ]) {
      const r = configSchema.safeParse({ NODE_ENV: 'test', [name!]: value });
      expect(r.success).toBe(false);
      expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual([name]);
    }
  });

  it('when previous secrets keys are given, then each is read (comma-separated), kept through a second parse, and a bad one is refused without echoing it', () => {
    const old = 'ab'.repeat(32);
    const once = moderationConfig({ NODE_ENV: 'production', MODERATION_SECRETS_KEY: KEY, MODERATION_SECRETS_KEY_PREVIOUS: ` ${old}, ${'ef'.repeat(32)} ` });
    expect(once.MODERATION_SECRETS_KEY_PREVIOUS.map((k) => k.toString('hex'))).toEqual([old, 'ef'.repeat(32)]);
    expect(moderationConfig(once).MODERATION_SECRETS_KEY_PREVIOUS.map((k) => k.toString('hex'))).toEqual([old, 'ef'.repeat(32)]);
    expect(moderationConfig({ NODE_ENV: 'test' }).MODERATION_SECRETS_KEY_PREVIOUS).toEqual([]);
    const bad = configSchema.safeParse({ NODE_ENV: 'production', MODERATION_SECRETS_KEY: KEY, MODERATION_SECRETS_KEY_PREVIOUS: `${old},old-secret` });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error!.issues)).not.toContain('old-secret');
  });
});
