"""One router per resource, all under ``/v1`` but the health checks."""
