"""The SIM7600 modem driver: a library inside Conductor that imports nothing else from it.

Layers, each usable alone: pure parsing (``pdu``: SMS PDUs; ``gsm7``: the GSM 7-bit alphabet;
``fields`` and ``userdata``: the TPDU pieces behind ``pdu``), then the serial protocol and the
``Modem`` API on top. Every error it raises on purpose is a ``ModemError`` (see ``errors``),
re-exported here.
"""

from __future__ import annotations

from conductor.modem.errors import CommandError, ModemError, ModemGone, ModemTimeout, PduError

__all__ = ["CommandError", "ModemError", "ModemGone", "ModemTimeout", "PduError"]
