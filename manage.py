#!/usr/bin/env python
"""Django's command-line utility (delegates to ``tongban.manage``)."""

from tongban.manage import main

if __name__ == "__main__":
    main()
