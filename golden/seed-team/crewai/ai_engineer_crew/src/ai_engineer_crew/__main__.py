"""`python -m ai_engineer_crew`: the crew's command line (see main.cli)."""

import sys

from ai_engineer_crew.main import cli

sys.exit(cli())
