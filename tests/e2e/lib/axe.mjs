// Runs the axe-core accessibility audit in a page, a frame or a CDP-driven popup.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** `evaluate(expressionString)` runs in the target; returns axe's violations (id + nodes). */
export async function audit(evaluate) {
  await evaluate(AXE);
  const json = await evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }))))`);
  return JSON.parse(json);
}
