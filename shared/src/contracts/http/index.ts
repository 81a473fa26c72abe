export * from './tenancy.schema';
export * from './consent.schema';
export * from './comments.schema';
export * from './moderation.schema';
export * from './privacy.schema';
