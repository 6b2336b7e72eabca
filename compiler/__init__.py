"""agentc's front end: agent markdown read, lowered to the IR and linked into a ProjectIR.

Imports nothing from the driver (`agentc`) or the targets."""
