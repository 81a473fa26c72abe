import { consentConfigSchema, type ConsentConfig } from '@parley/shared';

/**
 * What a site gets until its operator publishes its own: the four usual categories and plain
 * English texts. Stored as revision 1 the first time it is needed, so records always point at a
 * stored, hashed revision.
 */
export const DEFAULT_CONSENT_CONFIG: ConsentConfig = consentConfigSchema.parse({
  defaultLanguage: 'en',
  lifetimeDays: 182,
  categories: [
    { id: 'necessary', required: true },
    { id: 'functional', consentMode: ['functionality_storage', 'personalization_storage'] },
    { id: 'analytics', consentMode: ['analytics_storage'], cookies: ['_ga', '_ga_*', '_gid'] },
    { id: 'marketing', offUnderGpc: true, consentMode: ['ad_storage', 'ad_user_data', 'ad_personalization'], cookies: ['_fbp', '_gcl_*'] },
  ],
  texts: {
    en: {
      title: 'Your privacy choices',
      description:
        'We use cookies and similar technologies. Some are needed for the site to work; others help us remember your preferences, measure our audience or show relevant ads. You can accept all, reject all or choose per category, and change your mind at any time.',
      acceptAll: 'Accept all',
      rejectAll: 'Reject all',
      preferences: 'Preferences',
      save: 'Save choices',
      close: 'Close',
      policyLabel: 'Privacy policy',
      gpcNotice: 'Your browser sends a Global Privacy Control signal, so marketing is off unless you switch it on.',
      saved: 'Your choices have been saved.',
      records: 'Download my consent records',
      recordsFailed: 'Your records could not be downloaded. Please try again.',
      categories: {
        necessary: { label: 'Strictly necessary', description: 'Needed for the site to work, for example to remember this choice. Always on.' },
        functional: { label: 'Functional', description: 'Remember your settings, such as your name in the comment form.' },
        analytics: { label: 'Analytics', description: 'Count visits and see which pages are read, in aggregate.' },
        marketing: { label: 'Marketing', description: 'Show and measure advertising, possibly across sites.' },
      },
    },
  },
});
