"""Loaded by pytest before Django's settings (addopts `-p portal.pytest_plugin`): marks the run as
a test run so that settings supply test-only keys instead of demanding production secrets."""

import os

os.environ.setdefault("PORTAL_TESTING", "true")
