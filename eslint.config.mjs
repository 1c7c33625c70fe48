// `npm run lint`. Besides the usual TypeScript and React hooks rules, it keeps the layers apart:
// imports run one way (see docs/architecture.md), and a wrong one fails the lint, not a review.
import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Packages domain code must not use: it runs in the worker and the CLI too, where there is no Next.js or React. */
const FRAMEWORK_PACKAGES = [
  "next",
  "next/*",
  "next-auth",
  "next-auth/*",
  "react",
  "react/*",
  "react-dom",
  "react-dom/*",
];

export default tseslint.config(
  {
    ignores: [
      ".next/",
      ".cli/",
      "bin/cli-bundle.js",
      "generated/",
      "node_modules/",
      "data/",
      "test-results/",
      "playwright-report/",
      "bench/out/",
      ".node/",
      "next-env.d.ts",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-console": "off",
    },
  },
  {
    files: ["app/**", "web/**", "components/**"],
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    plugins: { "import-x": importX },
    settings: { "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })] },
    rules: {
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: "./lib",
              from: ["./app", "./web", "./components", "./cli", "./scripts", "./test", "./bench"],
              message:
                "lib/ holds the domain: the console, the API adapters, the CLI and the scripts build on it, never the reverse.",
            },
            {
              target: "./lib/s3",
              from: "./lib/engine",
              message: "lib/s3 speaks S3 for anyone; the copy engine builds on it, not the reverse.",
            },
            {
              target: "./lib/engine",
              from: ["./lib/jobs", "./lib/replication", "./lib/auth", "./lib/api", "./lib/db"],
              message:
                "The copy engine is given everything it needs (a tree, a store, a tracking store, an event sink); it knows nothing of jobs, the database or the API.",
            },
            {
              target: "./lib/progress",
              from: ["./lib/engine", "./lib/jobs", "./lib/replication"],
              message:
                "The progress record is shared ground: the engine, the worker and the API's views derive from it, so it imports none of them.",
            },
            {
              target: "./lib/db",
              from: ["./lib/engine", "./lib/jobs", "./lib/replication", "./lib/auth", "./lib/api", "./lib/maintenance"],
              message:
                "lib/db is shared ground (the clients, the migrations): the domain builds on it, not the reverse.",
            },
            {
              target: "./lib/replication",
              from: "./lib/jobs",
              message:
                "lib/replication answers requests; the worker (lib/jobs) runs what they queue and may import it, not the reverse.",
            },
            {
              target: "./web",
              from: "./app",
              message: "Shared console code must not reach into a route: pass what it needs from the route instead.",
            },
            {
              target: "./components",
              from: "./app",
              message: "Shared components must not reach into a route: pass what they need as props.",
            },
          ],
        },
      ],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-self-import": "error",
      "import-x/no-duplicates": "error",
    },
  },
  {
    files: ["lib/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: FRAMEWORK_PACKAGES,
              message: "lib/ does not depend on Next.js or React: keep framework code in app/ and web/.",
            },
          ],
        },
      ],
    },
  },
  {
    // CommonJS by nature: a preload for `node --require`.
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["test/**", "bench/**"],
    rules: {
      // Tests and benchmarks hook into the tree deliberately, and read API answers as the JSON they are.
      "import-x/no-restricted-paths": "off",
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
