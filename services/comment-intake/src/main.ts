import { runStandalone } from '@parley/shared';
import { configSchema } from './config';
import { commentIntake } from './service';

void runStandalone(commentIntake, configSchema);
