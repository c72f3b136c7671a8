"""Print the open demo survey's id and one fresh one-time link token for it."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpps.config.settings")

import django

django.setup()

from cpps.accounts.models import User  # noqa: E402
from cpps.listening.models import SURVEY_KIND  # noqa: E402
from cpps.participation.services import one_time_links_issue  # noqa: E402
from cpps.processes.models import Process, ProcessState  # noqa: E402

survey = Process.objects.filter(
    jurisdiction__slug="chicago", kind=SURVEY_KIND, state=ProcessState.OPEN
).first()
assert survey is not None  # noqa: S101 - the demo always has an open survey
(token,) = one_time_links_issue(
    user=User.objects.get(username="demo-facilitator"), process=survey, count=1
)
print(survey.pk, token)
