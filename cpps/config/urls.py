from django.urls import include, path
from django.views.i18n import set_language

from cpps.common.views import healthz
from cpps.config.api import api
from cpps.jurisdictions.views import home

# An outage met outside a view (e.g. saving the session) is a 503 too, not a 500.
handler500 = "cpps.common.views.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    # Early: survey submissions arrive in bursts and every pattern before a match costs.
    path("api/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("cpps.accounts.urls")),
    path("j/", include("cpps.jurisdictions.urls")),
    path("j/", include("cpps.audit.urls")),
    path("", include("cpps.channels.urls")),
    path("", include("cpps.processes.urls")),
    path("", include("cpps.participation.urls")),
    path("", include("cpps.priorities.urls")),
    path("", include("cpps.accountability.urls")),
    path("", include("cpps.listening.urls")),
    path("", include("cpps.panels.urls")),
    path("", include("cpps.deliberation.urls")),
    path("", include("cpps.publishing.urls")),
]
