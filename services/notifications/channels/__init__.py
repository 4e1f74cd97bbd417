"""The channels notices go out by, one module each (``email``, ``webhook``, ``feed``…): each
module that defines ``build(setup: ChannelSetup) -> Channel | ChannelOff`` is a channel,
registered at start-up (``ChannelOff``: it cannot run here, and why — e-mail without an SMTP
server). Adding a channel is adding a module
here — see docs/ARCHITECTURE.md §15, "Adding a channel"."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from services.notifications.channels.base import Channel, ChannelOff, ChannelRegistry, ChannelSetup

ChannelFactory = Callable[[ChannelSetup], Channel | ChannelOff]


def factories() -> list[ChannelFactory]:
    """Every channel module's ``build``, in the order of the modules' names."""
    found: list[ChannelFactory] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        build = getattr(loaded, "build", None)
        if callable(build):
            found.append(build)
    return found


def discover(setup: ChannelSetup) -> ChannelRegistry:
    """The registry of the channels this process runs with."""
    registry = ChannelRegistry()
    for build in factories():
        channel = build(setup)
        if isinstance(channel, ChannelOff):
            registry.off.append(channel.reason)
        else:
            registry.register(channel)
    return registry
