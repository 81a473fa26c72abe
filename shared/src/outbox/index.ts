export * from './outbox.tables';
export * from './outbox';
export * from './relay';
export * from './inbox';
