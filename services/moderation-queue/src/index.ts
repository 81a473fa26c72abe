export { moderationQueue } from './service';
export { configSchema } from './config';
export { ensureSite } from './domain/sites';
