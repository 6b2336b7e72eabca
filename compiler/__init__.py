"""agentc's compiler: reading agent markdown, the IR, the delegation graph, and the writer."""
