"""`python -m agentc` runs the CLI."""

from agentc.entry import main

main()
