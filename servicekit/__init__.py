"""The small runtime kit every process shares: settings, telemetry, database, broker, outbox.

Services import this kit and ``contracts``; they never import each other.
"""
