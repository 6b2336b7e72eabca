"""`python -m crewpkg`: the crew's command line (see main.cli)."""

import sys

from crewpkg.main import cli

sys.exit(cli())
