"""The optional C modules (agentc.compiler._markdown, the block reader; agentc.compiler._mentions, the
mention scanner's word search; agentc.compiler._frozen, the IR nodes' __init__;
agentc.compiler._graph, the linker's loop over an agent's delegations;
agentc.targets._shared._text, crewai's YAML literal block;
agentc._codec, the cache entry's JSON); everything else is in pyproject.toml.

A setup.py because the venvs install with the setuptools they hold (65.5 here, without build
isolation), and `[tool.setuptools] ext-modules` in pyproject.toml needs setuptools >= 74.1.
optional=True: without a C compiler the build goes on and markdown.py, mentions.py, graph.py, yamltext.py, frozen.py and codec.py work in pure Python."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("agentc.compiler._markdown", ["compiler/_markdown.c"], optional=True),
        Extension("agentc.compiler._mentions", ["compiler/_mentions.c"], optional=True),
        Extension("agentc.compiler._judge", ["compiler/_judge.c"], optional=True),
        Extension("agentc.compiler._frozen", ["compiler/_frozen.c"], optional=True),
        Extension("agentc.compiler._graph", ["compiler/_graph.c"], optional=True),
        Extension("agentc.targets._shared._text", ["targets/_shared/_text.c"], optional=True),
        Extension("agentc._codec", ["agentc/_codec.c"], optional=True),
    ]
)
