"""Developer tooling: the demo, a local Slack stand-in, a signed request driver, transcripts.

Reached only from the CLI, the tests and the benchmarks, never from the running bot."""
