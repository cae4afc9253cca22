"""The demo's SMS gateway: it sends nothing and appends each text as one JSON line to
``settings.SMS_FAKE_FILE`` (var/sms.log by default), so a demo or a test can read what would
have gone out."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from django.conf import settings

from tongban.notifications.sms.base import SmsGateway


class FileGateway(SmsGateway):
    name = "fake-file"

    def send(self, *, phone: str, text: str, reference: str) -> str:
        path = Path(settings.SMS_FAKE_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        provider_id = uuid.uuid4().hex
        line = json.dumps({"id": provider_id, "reference": reference, "to": phone, "text": text}, ensure_ascii=False)
        # One write of one line with O_APPEND: lines from concurrent workers do not interleave.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)
        return provider_id
