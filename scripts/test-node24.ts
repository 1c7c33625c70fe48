// `npm run test:node24`: prepares Node 24 if need be (scripts/node24.sh) and runs the unit and
// engine suites on it alone (or the files given: `npm run test:node24 -- test/unit/decide.test.ts`);
// the command line's bundle must be built (npm install builds it).
import { findNode24, NODE24_SUITES, node24Pass } from "./node24-pass";
import { summarize } from "./vitest-pass";

const node24 = findNode24(true);
if (!node24) {
  console.log("0 passed, 1 failed, 0 skipped (Node 24 could not be prepared)");
  process.exit(1);
}
const files = process.argv.length > 2 ? process.argv.slice(2) : NODE24_SUITES;
const counts = node24Pass(node24, files, { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
console.log(`${files.join(" and ")} on ${node24}: ${summarize(counts)}`);
process.exit(counts.failed > 0 ? 1 : 0);
