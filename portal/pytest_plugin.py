"""Loaded by pytest before Django's settings (addopts `-p portal.pytest_plugin`): marks the run as
a test run so that settings supply test-only keys instead of demanding production secrets, and
starts the embedded servers when the environment names no others."""

import os

from portal import embedded

os.environ.setdefault("PORTAL_TESTING", "true")
embedded.start_if_wanted()
