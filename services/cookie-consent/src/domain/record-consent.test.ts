import { ValidationError } from '@parley/shared';
import { DEFAULT_CONSENT_CONFIG } from './default-config';
import { normaliseChoices } from './record-consent';

const config = {
  categories: DEFAULT_CONSENT_CONFIG.categories.map((c) =>
    c.id === 'analytics' ? { ...c, services: [{ id: 'ga', name: 'GA', cookies: [] }, { id: 'hotjar', name: 'Hotjar', cookies: [] }] } : c,
  ),
};
const none = { accepted: [], rejected: [] };

describe('normaliseChoices', () => {
  it('when required categories are left out, then they are accepted anyway and silence counts as rejection', () => {
    expect(normaliseChoices(config, { accepted: ['analytics'], rejected: [], services: none })).toEqual({
      accepted: ['necessary', 'analytics'],
      rejected: ['functional', 'marketing'],
      services: { accepted: ['ga', 'hotjar'], rejected: [] },
    });
  });

  it('when one service is switched off, then only it is rejected within its accepted category', () => {
    const r = normaliseChoices(config, { accepted: ['analytics'], rejected: [], services: { accepted: [], rejected: ['hotjar'] } });
    expect(r.services).toEqual({ accepted: ['ga'], rejected: ['hotjar'] });
  });

  it('when a category or service is unknown or a required one is rejected, then a validation error names each', () => {
    let caught: unknown;
    try {
      normaliseChoices(config, { accepted: ['telepathy'], rejected: ['necessary'], services: { accepted: ['tracker'], rejected: [] } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).errors?.map((e) => e.path)).toEqual(['body.accepted.0', 'body.rejected.0', 'body.services.0']);
  });
});
