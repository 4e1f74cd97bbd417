"""Intake: receives nomination dossiers from other e-government systems and keeps their status."""
