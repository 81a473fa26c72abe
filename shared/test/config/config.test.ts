import { z } from 'zod';
import { ConfigError, commonEnvSchema, env, loadConfig, parseTrustProxy } from '../../src';

describe('loadConfig', () => {
  const schema = commonEnvSchema.extend({ PORT: env.port(4001), SECRET: env.key32() });
  const key = 'a'.repeat(64);

  it('when the environment is valid, then defaults fill the rest and the result is frozen', () => {
    const c = loadConfig(schema, { SECRET: key });
    expect(c.PORT).toBe(4001);
    expect(c.STREAM_MAX_DELIVERIES).toBe(5);
    expect(c.PG_POOL_SIZE).toBe(10);
    expect(loadConfig(schema, { SECRET: key, PG_POOL_SIZE: '25' }).PG_POOL_SIZE).toBe(25);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('when a variable is wrong, then the error names the variable and never echoes a secret', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', SECRET: 'hunter2' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT');
    expect(message).toContain('SECRET');
    expect(message).not.toContain('hunter2');
  });

  it('when STREAM_RETENTION_HOURS is read, then it defaults to a week, 0 turns it off and a negative is refused', () => {
    expect(loadConfig(schema, { SECRET: key }).STREAM_RETENTION_HOURS).toBe(168);
    expect(loadConfig(schema, { SECRET: key, STREAM_RETENTION_HOURS: '0' }).STREAM_RETENTION_HOURS).toBe(0);
    expect(() => loadConfig(schema, { SECRET: key, STREAM_RETENTION_HOURS: '-1' })).toThrow(/STREAM_RETENTION_HOURS/);
  });

  it('when a variable is set but empty, then it counts as unset', () => {
    expect(loadConfig(schema, { SECRET: key, PORT: '' }).PORT).toBe(4001);
  });

  it('when a boolean variable is given, then common spellings are understood', () => {
    const s = z.object({ FLAG: env.bool(false) });
    expect(loadConfig(s, { FLAG: 'yes' }).FLAG).toBe(true);
    expect(loadConfig(s, {}).FLAG).toBe(false);
    expect(() => loadConfig(s, { FLAG: 'maybe' })).toThrow(/FLAG/);
  });

  it('when TRUST_PROXY is given, then it becomes what Express expects', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8')).toBe('10.0.0.0/8');
  });
});
