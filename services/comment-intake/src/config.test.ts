import { configSchema, intakeConfig } from './config';

const KEY = 'ab'.repeat(32);

describe('intake configuration', () => {
  it('when keys are unset outside production, then labelled development keys are used', () => {
    const c = intakeConfig({ NODE_ENV: 'test' });
    expect(c.INTAKE_HASH_KEY).toHaveLength(32);
    expect(c.INTAKE_EMAIL_KEY.equals(c.INTAKE_HASH_KEY)).toBe(false);
  });

  it('when keys are unset in production, then the configuration is refused naming both', () => {
    const r = configSchema.safeParse({ NODE_ENV: 'production' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['INTAKE_HASH_KEY', 'INTAKE_EMAIL_KEY']);
  });

  it('when a key is not 64 hex characters, then it is refused without echoing it', () => {
    const r = configSchema.safeParse({ NODE_ENV: 'production', INTAKE_HASH_KEY: 'secret-value', INTAKE_EMAIL_KEY: KEY });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).not.toContain('secret-value');
  });

  it('when the parsed configuration is parsed again, then it is unchanged', () => {
    const once = intakeConfig({ NODE_ENV: 'production', INTAKE_HASH_KEY: KEY, INTAKE_EMAIL_KEY: KEY.replace(/a/g, 'c') });
    const twice = intakeConfig(once);
    expect(twice.INTAKE_HASH_KEY.equals(once.INTAKE_HASH_KEY)).toBe(true);
    expect(twice.INTAKE_EMAIL_KEY.equals(once.INTAKE_EMAIL_KEY)).toBe(true);
  });
});
