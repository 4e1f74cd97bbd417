"""Clients of the platform's APIs: programs that run outside the services and speak to them over
HTTP, with ``contracts`` as their only shared vocabulary (import-linter forbids them ``services``
and ``servicekit``), so that they can be shipped without the server."""
