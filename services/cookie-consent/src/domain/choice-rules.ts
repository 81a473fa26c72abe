/** The categories and services of one revision, indexed for checking a visitor's choice. */
export interface ConfigShape {
  categories: { id: string; required: boolean; services: { id: string }[] }[];
}

/** A revision's categories and services, indexed once per revision rather than per request. */
export interface ChoiceRules {
  categories: { id: string; required: boolean }[];
  known: Set<string>;
  required: Set<string>;
  services: { id: string; category: string }[];
  knownServices: Set<string>;
}

export function choiceRules(config: ConfigShape): ChoiceRules {
  const services = config.categories.flatMap((c) => c.services.map((s) => ({ id: s.id, category: c.id })));
  return {
    categories: config.categories.map((c) => ({ id: c.id, required: c.required })),
    known: new Set(config.categories.map((c) => c.id)),
    required: new Set(config.categories.filter((c) => c.required).map((c) => c.id)),
    services,
    knownServices: new Set(services.map((s) => s.id)),
  };
}
