export { commentIntake } from './service';
export { configSchema } from './config';
