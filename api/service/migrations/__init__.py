"""Alembic migrations of the service's database (see :mod:`api.service.migrate`)."""
