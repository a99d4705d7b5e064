// Every rule the analysis runs, in ID order.
import type { Rule } from './types';
import { grm001 } from './grammar/GRM-001-document-shape';

export const RULES: readonly Rule[] = [
  grm001,
];

const byId = new Map(RULES.map(r => [r.meta.id, r]));
export const ruleById = (id: string): Rule | undefined => byId.get(id);
