"""``python -m tongban`` is ``manage.py``."""

from tongban.manage import main

if __name__ == "__main__":
    main()
