"""What several targets share: the team (entry, reachable agents, handoffs, dangling policy),
names and models, OpenAI naming rules, Jinja rendering and Python formatting."""
