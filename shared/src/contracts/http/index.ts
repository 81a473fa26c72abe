export * from './tenancy.schema';
