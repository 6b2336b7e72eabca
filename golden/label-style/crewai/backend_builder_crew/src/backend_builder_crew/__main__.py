"""`python -m backend_builder_crew`: the crew's command line (see main.cli)."""

import sys

from backend_builder_crew.main import cli

sys.exit(cli())
