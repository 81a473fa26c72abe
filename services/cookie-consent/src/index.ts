export { cookieConsent } from './service';
export { configSchema } from './config';
