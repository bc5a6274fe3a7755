import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_TASKS } from '../../functions/migrations/tasks.ts';

const definition = JSON.parse(readFileSync('workflows/migration.asl.json', 'utf8'));
const states = (def: { States: Record<string, any> }): [string, any][] =>
  Object.entries(def.States).flatMap(([name, s]) => [
    [name, s],
    ...(s.ItemProcessor ? states(s.ItemProcessor) : []),
  ]);

describe('workflows/migration.asl.json', () => {
  it('passes asl-validator', () => {
    const validate = (aslValidator as unknown as { default?: typeof aslValidator }).default ?? aslValidator;
    const result = validate(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('names every Lambda through a substitution that maps to a handler module', () => {
    const subs = [...JSON.stringify(definition).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(new Set(subs)).toEqual(new Set(Object.keys(WORKFLOW_TASKS)));
  });

  it('reads well in the console: the steps of the product brief, by name', () => {
    const names = states(definition).map(([n]) => n);
    for (const n of [
      'Validate migration',
      'Sole member with deployments?',
      'Back up deployments',
      'Verify backups',
      'Delete source deployments',
      'Leave source organization',
      'Re-invite to target organization',
      'Wait for invitation acceptance',
      'Restore deployments',
      'Record success',
      'Notify user',
    ]) {
      expect(names).toContain(n);
    }
  });

  it('gives every task its own ResultPath and a Catch, and waits on a task token no longer than an invitation lives', () => {
    for (const [name, s] of states(definition)) {
      if (s.Type !== 'Task' || name.endsWith('one deployment')) continue;
      expect(s, name).toHaveProperty('ResultPath');
      if (!name.startsWith('Record')) expect(s.Catch, name).toBeDefined();
    }
    const wait = definition.States['Wait for invitation acceptance'];
    expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait.TimeoutSeconds).toBe(72 * 3600);
  });
});
