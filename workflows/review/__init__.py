"""The multi-level review of a dossier."""
