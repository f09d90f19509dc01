import { readFileSync } from 'node:fs';

import { configJsonSchema, configJsonSchemaText } from '../../src/config/emit-schema.js';

describe('JSON Schema', () => {
  const schema = configJsonSchema() as {
    properties: Record<string, { default?: unknown }>;
    required?: string[];
    additionalProperties: boolean;
  };

  it('lists every key with its default and requires none', () => {
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'enabled',
        'files',
        'rules',
        'schedule',
        'branchPrefix',
        'commitMessagePrefix',
      ]),
    );
    expect(schema.properties['updates']?.default).toEqual(['digest', 'patch']);
    expect(schema.required ?? []).toEqual([]);
    expect(schema.additionalProperties).toBe(false);
  });

  it('is what schema/freshbase.schema.json holds (regenerate with npm run schema)', () => {
    expect(readFileSync(new URL('../../schema/freshbase.schema.json', import.meta.url), 'utf8')).toBe(
      configJsonSchemaText(),
    );
  });
});
