"""Allow `python -m supervisor_tools`."""

from supervisor_tools.cli import main

if __name__ == "__main__":
    main()
