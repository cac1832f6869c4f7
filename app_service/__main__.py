"""``python -m app_service`` is the ``edgex-llm-agent`` console script."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
