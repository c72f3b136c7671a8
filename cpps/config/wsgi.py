"""WSGI entry point for production servers (gunicorn cpps.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpps.config.settings")
application = get_wsgi_application()
