"""Serve every govpress deployment from one process: a shim over ``govpress serve`` (same options).

    uv run python deployments/serve.py [--no-schedules] [--port N] ...   # see: govpress serve --help
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    checkout = Path(__file__).resolve().parent.parent
    if str(checkout) not in sys.path:  # run as a script from anywhere in the checkout
        sys.path.insert(0, str(checkout))
    from govpress.cli import app

    app(["serve", *sys.argv[1:]], prog_name="govpress")
