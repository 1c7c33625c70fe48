import setup from "./global-setup";

// The console's specs share the vitest suites' setup: with SHIFT_TEST_DATABASE=postgresql, one
// PostgreSQL cluster for the run, each app with a database of its own in it.
export default setup;
