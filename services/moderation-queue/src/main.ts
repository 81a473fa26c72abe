import { runStandalone } from '@parley/shared';
import { configSchema } from './config';
import { moderationQueue } from './service';

void runStandalone(moderationQueue, configSchema);
