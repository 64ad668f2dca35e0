"""Admin registrations, one module per area."""

from stories.admin import core  # noqa: F401
