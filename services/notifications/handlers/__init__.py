"""Notifications' use cases, one function each, for every command (HTTP, the operators' CLI) and
every consumed event; each opens the transactions it needs, reads the time from the runtime's
clock, returns plain results and raises the catalogue's errors (``errors.py``):

- ``events``: an intake, review or decision event → its notices and deliveries;
- ``feed``: the officer's feed, read marks;
- ``preferences``: how a recipient is notified, in full or one channel at a time;
- ``webhooks``: an integrating system's subscription, secret and delivery log, redelivery;
- ``dispatch``: the dispatcher's rounds (sending what is due, digests, interrupted claims);
- ``operators``: the operators' commands (the delivery log, redelivery, digests now).
"""
