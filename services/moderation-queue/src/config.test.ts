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
