// The layering rule of eslint.config.js: an import that runs back up a layer fails lint; the allowed directions pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

/** The layering messages ESLint reports for `source` placed at `file` (a path from the repository root). */
async function layeringErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${ROOT}${file}` });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

const forbidden: [file: string, source: string][] = [
  ['server/fleet/x.ts', "import { scan } from '../../agent/commands/scan';\nexport { scan };\n"],
  ['server/x.ts', "import { demo } from '../tools/demo';\nexport { demo };\n"],
  ['parser/x.ts', "import { createApp } from '../server/app';\nexport { createApp };\n"],
  ['parser/families/x.ts', "import type { Config } from '../../agent/config';\nexport type { Config };\n"],
  ['protocol/x.ts', "export { ServicingLogParser } from '../parser/index';\n"],
  ['agent/runtime/x.ts', "import { harness } from '../../test/server/harness';\nexport { harness };\n"],
  ['dashboard/pages/x.tsx', "import { REMEDIATION_RULES } from '../../server/fleet/rules/remediation-rules';\nexport { REMEDIATION_RULES };\n"],
  ['tools/x.ts', "import { bench } from '../test/bench/server-bench';\nexport { bench };\n"],
];

for (const [file, source] of forbidden) {
  test(`lint refuses an import that runs back up: ${file} ← ${source.split("'")[1]}`, async () => {
    const errors = await layeringErrors(file, source);
    assert.equal(errors.length, 1, `expected one layering error, got ${JSON.stringify(errors)}`);
    assert.match(errors[0]!, /must not import/);
  });
}

const allowed: [file: string, source: string][] = [
  ['server/http/x.ts', "import { scanPaths } from '../../parser/index';\nexport { scanPaths };\n"],
  ['agent/runtime/x.ts', "import { scanPaths } from '../../parser/index';\nexport { scanPaths };\n"],
  ['parser/x.ts', "import { parseReport } from '../protocol/report';\nexport { parseReport };\n"],
  ['tools/x.ts', "import { createApp } from '../server/app';\nexport { createApp };\n"],
  ['server/fleet/x.test.ts', "import { harness } from '../../test/server/harness';\nexport { harness };\n"],
];

for (const [file, source] of allowed) {
  test(`lint allows ${file} ← ${source.split("'")[1]}`, async () => {
    assert.deepEqual(await layeringErrors(file, source), []);
  });
}
