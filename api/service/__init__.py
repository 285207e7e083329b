"""The planning service: portfolios, scenarios, runs and plans over HTTP (``/v1``).

Runs execute in worker processes fed by a queue in the database (:mod:`api.service.workers`);
the web process only validates, stores and serves. ``create_app`` in :mod:`api.service.app`
builds the FastAPI application; ``pmo serve`` runs it.
"""
