import { z } from 'zod';
import { eventSchema } from '../envelope';
import { apiKeySnapshotSchema } from '../site.schema';

/** A full snapshot of an API key (hash only) after creation or revocation. */
export const apiKeysChangedV1 = eventSchema('api-keys.changed', 1, z.object({ key: apiKeySnapshotSchema }));
export type ApiKeysChangedV1 = z.infer<typeof apiKeysChangedV1>;
