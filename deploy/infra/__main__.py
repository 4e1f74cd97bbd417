"""``python -m deploy.infra up|down|status [component ...]``."""

import sys

from deploy.infra import main

sys.exit(main())
