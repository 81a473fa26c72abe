import type { TenancyReadTables } from '@parley/shared';

export const SCHEMA = 'consent';

export type ConsentDb = TenancyReadTables;
