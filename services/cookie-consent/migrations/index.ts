import type { Migration } from 'kysely/migration';
import * as tenancy from './2026_11_26_2300_tenancy';
import * as consent from './2026_11_26_2330_consent';
import * as stats from './2026_11_26_2345_stats';
import * as appendChainBatches from './2026_11_27_0130_append_chain_batches';
import * as signingKeys from './2026_11_27_0230_signing_keys';
import * as keysPointAtRecords from './2026_11_27_0600_keys_point_at_records';

/** In order; names sort by time. Listed here (not read from disk) so bundles and tests see the same set. */
export const migrations: Record<string, Migration> = {
  '2026_11_26_2300_tenancy': tenancy,
  '2026_11_26_2330_consent': consent,
  '2026_11_26_2345_stats': stats,
  '2026_11_27_0130_append_chain_batches': appendChainBatches,
  '2026_11_27_0230_signing_keys': signingKeys,
  '2026_11_27_0600_keys_point_at_records': keysPointAtRecords,
};
