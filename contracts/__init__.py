"""Shared, versioned contracts: the only code that services and workflows share.

Everything here is plain data (pydantic models and constants) with no I/O, so any service can
import it without pulling in another service's code.
"""
