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
});
