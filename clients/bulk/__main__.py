import sys

from clients.bulk.cli import main

sys.exit(main())
