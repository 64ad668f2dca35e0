"""Admin registrations, one module per area."""

from stories.admin import (
    alerts,  # noqa: F401
    api,  # noqa: F401
    core,  # noqa: F401
    discovery,  # noqa: F401
)
