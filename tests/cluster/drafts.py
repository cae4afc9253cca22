"""Run inside a cluster's environment (``RunningCluster.python``): complete drafts for the submit
load, made through the same services a browser uses, and a session for their applicant.

    main()  # argv[1]: how many drafts; prints one line of JSON

The demo city's HR manager (emma.schmidt, who holds the Rhein firm's social-security power)
enrols a registered resident in social security (si-enrolment: instant, no required upload). The
session is made as ``login()`` makes it, without paying for Argon2.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from importlib import import_module


def main() -> None:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.test.utils import override_settings
    from django.utils import timezone

    from tongban.catalogue.models import ServiceVersion, VersionStatus
    from tongban.core.actors import Actor
    from tongban.forms.models import FormDefinition
    from tongban.forms.services import application_save_step, application_start
    from tongban.identity.models import Firm, Person
    from tongban.portal.views.auth import BACKEND

    count = int(sys.argv[1])
    hr = Person.objects.select_related("account").get(account__username="emma.schmidt")
    assert hr.account is not None
    firm = Firm.objects.get(name_en__startswith="Rhein Precision")
    employee = Person.objects.get(account__username="wang.fang")
    version = ServiceVersion.objects.get(item__code="si-enrolment", status=VersionStatus.PUBLISHED)
    steps = [step["key"] for step in FormDefinition.objects.get(version=version).layout["steps"]]
    actor = Actor(kind="account", account_id=hr.account.pk, label=hr.account.username)
    now = timezone.now()
    answers = {
        "employee": {
            "employee_id_type": "resident_id",
            "employee_id_number": employee.id_number,
            "employee_name": employee.name,
        },
        "contributions": {
            "start_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
            "contribution_base": "8000",
        },
    }
    drafts = []
    # More open drafts than one person may hold (FORMS_OPEN_DRAFTS_PER_PERSON): a load, not a person.
    with override_settings(FORMS_OPEN_DRAFTS_PER_PERSON=count + 100):
        for _ in range(count):
            application = application_start(person=hr, version=version, firm=firm, actor=actor, now=now)
            for key in steps:
                _values, errors = application_save_step(
                    application=application,
                    step_key=key,
                    posted=answers.get(key, {}),
                    person=hr,
                    now=now,
                    complete=False,
                )
                assert not errors, f"{key}: {errors}"
                application.refresh_from_db()
            drafts.append(str(application.public_id))
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(hr.account.pk)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = hr.account.get_session_auth_hash()
    store.create()
    print(json.dumps({"username": hr.account.username, "session": store.session_key, "drafts": drafts}))
