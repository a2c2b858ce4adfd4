// Checks an HTML email against caniemail.com's data (the `caniemail` npm package, offline).
// Usage: node tests/caniemail_check.mjs FILE.html CLIENT-GLOB...
// Prints JSON: {"date": data's date, "errors": [[feature, client, notes], ...]} where an error
// is a feature the client's latest test says it does not support. A client caniemail never
// tested for a feature counts as unknown, not as an error (the package would throw on it).
import { readFileSync } from 'node:fs';
import { caniemail, rawData } from 'caniemail';

const [file, ...globs] = process.argv.slice(2);
const families = Object.fromEntries(rawData.data.flatMap((f) => Object.entries(f.stats))
  .map(([family, platforms]) => [family, Object.keys(platforms)]));
for (const feature of rawData.data) {
  for (const [family, platforms] of Object.entries(families)) {
    feature.stats[family] ??= {};
    for (const platform of platforms) feature.stats[family][platform] ??= { untested: 'u' };
  }
}
const { issues } = caniemail({ clients: globs, html: readFileSync(file, 'utf8') });
const errors = [];
for (const [client, found] of issues.errors) {
  for (const issue of found) errors.push([issue.title, client, issue.notes]);
}
process.stdout.write(JSON.stringify({ date: rawData.last_update_date, errors }));
