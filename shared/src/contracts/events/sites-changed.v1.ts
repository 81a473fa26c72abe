import { z } from 'zod';
import { eventSchema } from '../envelope';
import { siteSchema } from '../site.schema';

/** A full snapshot of a site after any change: consumers upsert it if its version is newer. */
export const sitesChangedV1 = eventSchema('sites.changed', 1, z.object({ site: siteSchema }));
export type SitesChangedV1 = z.infer<typeof sitesChangedV1>;
