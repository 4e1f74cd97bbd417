"""The platform's services: each a vertical slice that talks to the others only through Kafka."""
