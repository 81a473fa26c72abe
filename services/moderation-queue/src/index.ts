export { moderationQueue } from './service';
export { configSchema } from './config';
export { ensureSite } from './domain/sites';
export { evaluateClassifier, parseCorpus, type LabelledComment, type Scores } from './domain/spam/evaluate';
export { verifyWebhook, signWebhook, SIGNATURE_HEADER } from './domain/webhooks';
