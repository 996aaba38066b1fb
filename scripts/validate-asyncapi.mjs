#!/usr/bin/env node
// Validate an AsyncAPI document with @asyncapi/parser 3.x and print every diagnostic.
// Usage: node scripts/validate-asyncapi.mjs <file>
// Exit code: 1 when any diagnostic has severity 0 (error) or the file cannot be read, else 0.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Parser } from '@asyncapi/parser';

const SEVERITY = ['error', 'warning', 'info', 'hint'];

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/validate-asyncapi.mjs <asyncapi.yaml>');
  process.exit(2);
}

const source = resolve(file);
let text;
try {
  text = await readFile(source, 'utf8');
} catch (err) {
  console.error(`cannot read ${file}: ${err.message}`);
  process.exit(1);
}

const parser = new Parser();
const { document, diagnostics } = await parser.parse(text, { source });

const counts = [0, 0, 0, 0];
for (const d of diagnostics) {
  counts[d.severity] = (counts[d.severity] ?? 0) + 1;
  const where = d.path && d.path.length ? d.path.join('.') : '(root)';
  const line = d.range ? `:${d.range.start.line + 1}:${d.range.start.character + 1}` : '';
  console.log(`${SEVERITY[d.severity] ?? d.severity} ${d.code} ${file}${line} ${where}: ${d.message}`);
}

console.log(
  `${file}: ${counts[0]} error(s), ${counts[1]} warning(s), ${counts[2]} info, ${counts[3]} hint(s)` +
    (document ? '' : ' (document could not be parsed)'),
);
process.exit(counts[0] > 0 || !document ? 1 : 0);
