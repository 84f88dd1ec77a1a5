"""`python -m warehouse.analysts.dictionary`: write docs/warehouse.md and docs/queries.md."""

import sys

from warehouse.analysts.dictionary.markdown import main

sys.exit(main())
