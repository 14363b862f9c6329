"""``python -m salesflow``: the command line."""

from salesflow.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
