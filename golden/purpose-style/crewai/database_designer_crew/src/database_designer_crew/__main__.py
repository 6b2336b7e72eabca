"""`python -m database_designer_crew`: the crew's command line (see main.cli)."""

import sys

from database_designer_crew.main import cli

sys.exit(cli())
