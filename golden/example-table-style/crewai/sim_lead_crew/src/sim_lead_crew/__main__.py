"""`python -m sim_lead_crew`: the crew's command line (see main.cli)."""

import sys

from sim_lead_crew.main import cli

sys.exit(cli())
