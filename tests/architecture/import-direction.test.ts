/** The one-way dependency rules are enforced by lint; this proves the rules bite. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Lints `code` as if it were `file`, through the real ESLint command line and config. */
async function lint(file: string, code: string): Promise<string[]> {
  const bin = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const r = spawnSync(process.execPath, [bin, '--format', 'json', '--stdin', '--stdin-filename', join(ROOT, file)], { cwd: ROOT, input: code, encoding: 'utf8' });
  const [result] = JSON.parse(r.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import direction', () => {
  it('when a service imports another service, then lint refuses it', async () => {
    const msgs = await lint('services/comment-intake/src/x.ts', "import { moderationQueue } from '@parley/moderation-queue';\nexport const y = moderationQueue;\n");
    expect(msgs.join()).toMatch(/never imports/);
    const relative = await lint('services/cookie-consent/src/x.ts', "import { x } from '../../comment-intake/src/service';\nexport const y = x;\n");
    expect(relative.join()).toMatch(/never imports/);
  });

  it('when shared imports a service, then lint refuses it', async () => {
    const msgs = await lint('shared/src/x.ts', "import { cookieConsent } from '@parley/cookie-consent';\nexport const y = cookieConsent;\n");
    expect(msgs.join()).toMatch(/must not depend on a service/);
  });

  it('when domain code imports Express, then lint refuses it', async () => {
    const msgs = await lint('services/moderation-queue/src/domain/x.ts', "import express from 'express';\nexport const y = express;\n");
    expect(msgs.join()).toMatch(/Express stays in routes/);
  });

  it('when a service imports the shared package, then lint accepts it', async () => {
    expect(await lint('services/comment-intake/src/x.ts', "import { uuidv7 } from '@parley/shared';\nexport const y = uuidv7;\n")).toEqual([]);
  });
});
