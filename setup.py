"""The optional C modules (agentc.compiler._markdown, the block reader; agentc.compiler._mentions, the
mention scanner's word search; agentc.compiler._frozen, the IR nodes' __init__;
agentc.compiler._graph, the linker's loop over an agent's delegations;
agentc.targets._shared._text, crewai's YAML literal block;
agentc._codec, the cache entry's JSON); everything else is in pyproject.toml.

A setup.py because the venvs install with the setuptools they hold (65.5 here, without build
isolation), and `[tool.setuptools] ext-modules` in pyproject.toml needs setuptools >= 74.1.
optional=True: without a C compiler the build goes on and markdown.py, mentions.py, graph.py, yamltext.py, frozen.py and codec.py work in pure Python."""

from setuptools import Extension, setup

# Every module includes it (the shared argument checks): `depends` rebuilds them all when it changes
# and ships it in the sdist (setuptools adds an Extension's depends to the sdist's files).
SHARED = ["compiler/_extension.h"]

setup(
    ext_modules=[
        Extension(name, [source], depends=SHARED, optional=True)
        for name, source in [
            ("agentc.compiler._markdown", "compiler/_markdown.c"),
            ("agentc.compiler._mentions", "compiler/_mentions.c"),
            ("agentc.compiler._judge", "compiler/_judge.c"),
            ("agentc.compiler._frozen", "compiler/_frozen.c"),
            ("agentc.compiler._graph", "compiler/_graph.c"),
            ("agentc.targets._shared._text", "targets/_shared/_text.c"),
            ("agentc._codec", "agentc/_codec.c"),
        ]
    ]
)
