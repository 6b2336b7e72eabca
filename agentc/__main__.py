"""`python -m agentc` runs the CLI."""

from agentc.cli import main

main()
