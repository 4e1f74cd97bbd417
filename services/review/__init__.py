"""Review: starts the review workflow for each dossier and serves reviewers their tasks."""
