"""WSGI entry point, served by granian (see Makefile and docs/deployment)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.conf.base")

application = get_wsgi_application()
