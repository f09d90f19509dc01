// Publishes the config schema as JSON Schema for editor completion:
//   node dist/config/emit-schema.js schema/freshbase.schema.json
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { z } from 'zod';

import { repoConfigSchema } from './schema.js';

/** Draft-07, the dialect editors (yaml-language-server, SchemaStore) support best. */
export function configJsonSchema(): Record<string, unknown> {
  // `input`: every key with a default is optional to the person writing the file.
  return z.toJSONSchema(repoConfigSchema, { io: 'input', target: 'draft-7' });
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outfile = process.argv[2];
  if (!outfile) {
    console.error('usage: node dist/config/emit-schema.js <outfile>');
    process.exit(2);
  }
  writeFileSync(outfile, configJsonSchemaText());
}
