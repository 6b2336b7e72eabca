// Gemini CLI's own agent loader, offline: parseAgentMarkdown from the installed @google/gemini-cli
// bundle (the function `gemini` runs on every .gemini/agents/*.md). Usage: node gemini_check.mjs BUNDLE FILE...
// Prints "ok FILE" or "FAIL FILE: reason" per file; exits 1 when any file fails, 2 when the loader is not found.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [bundle, ...files] = process.argv.slice(2);
const chunk = readdirSync(bundle).filter((f) => f.endsWith(".js")).sort()
  .find((f) => readFileSync(join(bundle, f), "utf8").includes("async function parseAgentMarkdown("));
if (!chunk) { console.log(`FAIL: no parseAgentMarkdown in ${bundle}`); process.exit(2); }
const mod = await import(pathToFileURL(join(bundle, chunk)).href);
if (typeof mod.parseAgentMarkdown !== "function") { console.log(`FAIL: ${chunk} does not export parseAgentMarkdown`); process.exit(2); }
let bad = 0;
for (const file of files) {
  try {
    const agents = await mod.parseAgentMarkdown(file);
    console.log(`ok ${file} ${JSON.stringify(agents.map((a) => [a.name, a.kind, a.tools ?? null]))}`);
  } catch (e) {
    bad++;
    console.log(`FAIL ${file}: ${String(e.message).replace(/\n/g, " | ")}`);
  }
}
process.exit(bad ? 1 : 0);
