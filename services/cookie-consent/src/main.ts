import { runStandalone } from '@parley/shared';
import { configSchema } from './config';
import { cookieConsent } from './service';

void runStandalone(cookieConsent, configSchema);
