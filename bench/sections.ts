import { benchConsent } from './consent.bench';
import { benchEmbeddedStart } from './embedded-start.bench';
import { benchIntake } from './intake.bench';
import { benchIntakeScale } from './intake-scale.bench';
import { benchSpamClassifier } from './moderation-spam.bench';
import { benchModeration } from './moderation.bench';
import { benchPipeline } from './pipeline.bench';
import { benchSizes } from './sizes.bench';
import { benchTransport, toMarkdown } from './transport.bench';

/** One entry per benchmark: a title and a run that returns its markdown table and notes. */
export interface BenchSection {
  id: string;
  title: string;
  run(): Promise<string>;
}

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const sections: BenchSection[] = [
  {
    id: 'sizes',
    title: 'Browser scripts: bytes served',
    run: () => benchSizes(),
  },
  {
    id: 'transport',
    title: 'Stream transport: messages acknowledged per second',
    async run() {
      const results = await benchTransport({ messages: 100_000, redisUrl });
      return [
        toMarkdown(results),
        '',
        'Baseline: the first row, plain ioredis pipelined XADD with no transport and no consumer, measured in the',
        'same run. "consume + ack" rows run a trivial handler; each message is acknowledged only after it returned.',
        'Publisher, consumer, Redis and Postgres share the 2 cores, so the end-to-end rows are the pessimistic ones.',
      ].join('\n');
    },
  },
  {
    id: 'embedded-start',
    title: 'Embedded mode: `npm start` until every service answers /healthz',
    async run() {
      return [
        await benchEmbeddedStart(),
        '',
        'Spawned as `node --import tsx services/embedded/src/start.ts` (what `npm start` runs) with nothing set:',
        'PGlite, in-process streams, four ports. The tsx compile cache is warm after the first run on a machine.',
      ].join('\n');
    },
  },
  {
    id: 'consent',
    title: 'cookie-consent: consent records written and banner.js served',
    run: () => benchConsent(),
  },
  {
    id: 'intake',
    title: 'comment-intake: comments accepted and thread pages served',
    run: () => benchIntake(),
  },
  {
    id: 'intake-scale',
    title: 'comment-intake: submit latency on an empty table and at 5 million comments',
    run: () => benchIntakeScale(),
  },
  {
    id: 'moderation',
    title: 'moderation-queue: comments decided per second, submit → decision latency',
    run: () => benchModeration({ total: 10_000, rate: 1_000, seconds: 10 }),
  },
  {
    id: 'pipeline',
    title: 'Submit → visible: comment-intake and moderation-queue as separate processes, end to end',
    run: () => benchPipeline({ rate: 1_000, seconds: 10, rounds: 3 }),
  },
  {
    id: 'spam',
    title: 'Spam classifier: precision and recall on the labelled corpus (tests/fixtures)',
    run: async () => benchSpamClassifier(),
  },
];
