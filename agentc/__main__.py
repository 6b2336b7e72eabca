"""`python -m agentc.compiler` runs the CLI."""

from agentc.compiler.cli import main

main()
