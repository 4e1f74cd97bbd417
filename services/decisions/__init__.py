"""Decisions: issues the numbered decision (quyết định) for an approved dossier."""
