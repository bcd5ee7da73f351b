"""Logging filters named by settings.LOGGING."""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx answer (403 permission denied, 400 bad request) is the client's doing, not a bug: log
    its one line ("Forbidden (Permission denied): /path") and leave the traceback out."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
