import type { TenancyReadTables } from '@parley/shared';

export const SCHEMA = 'intake';

export type IntakeDb = TenancyReadTables;
