"""`python -m architect_crew`: the crew's command line (see main.cli)."""

import sys

from architect_crew.main import cli

sys.exit(cli())
