"""Notifications: tells the people and systems concerned what happened to their dossiers."""
