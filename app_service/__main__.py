"""``python -m app_service`` is the ``edgex-llm-agent`` console script."""
from .cli import run_program

if __name__ == "__main__":
    run_program()
