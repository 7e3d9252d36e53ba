"""The modem driver's exception tree.

    ModemError               base class; ``permanent`` tells retry logic what to do
    ├── PduError             a PDU is malformed, or a message cannot be put in one (permanent)
    ├── CommandError         the modem answered ERROR, +CMS ERROR or +CME ERROR
    │                        (``cms_code`` / ``cme_code``; permanent or not by the code)
    ├── ModemTimeout         no final result code in time (transient); also a TimeoutError
    └── ModemGone            the serial device went away: unplugged, USB reset (transient)

Transient and permanent failures are told apart by one attribute, ``permanent: bool``: a
permanent failure will fail the same way if retried (a bad number, a malformed PDU), a transient
one may succeed later (network congestion, a modem that is being reset). Every class has a
default; any instance can override it with the ``permanent=`` keyword.

This module, like the rest of ``conductor.modem``, imports nothing from the rest of Conductor.
"""

from __future__ import annotations

# +CMS ERROR codes (3GPP TS 24.011 annex E-2 and TS 27.005 3.2.5) that mean "this message will
# never go through as it is": retrying the same PDU to the same number is pointless.
PERMANENT_CMS_CODES = frozenset(
    {
        1,  # unassigned (unallocated) number
        8,  # operator determined barring
        10,  # call barred
        21,  # short message transfer rejected
        29,  # facility rejected
        30,  # unknown subscriber
        50,  # requested facility not subscribed
        69,  # requested facility not implemented
        95,  # semantically incorrect message
        96,  # invalid mandatory information
        97,  # message type non-existent or not implemented
        111,  # protocol error, unspecified
        127,  # interworking, unspecified
        304,  # invalid PDU mode parameter
        305,  # invalid text mode parameter
    }
)


class ModemError(Exception):
    """Base class of every error the modem driver raises on purpose."""

    permanent: bool = False

    def __init__(self, message: str, *, permanent: bool | None = None) -> None:
        super().__init__(message)
        if permanent is not None:
            self.permanent = permanent


class PduError(ModemError):
    """A PDU cannot be decoded, or a message cannot be encoded into PDUs."""

    permanent = True


class CommandError(ModemError):
    """The modem rejected a command (ERROR, +CMS ERROR: <n> or +CME ERROR: <n>).

    Without an explicit ``permanent=``, a ``cms_code`` in ``PERMANENT_CMS_CODES`` makes the
    error permanent; every other code (congestion, network timeout, unknown error) is transient.
    """

    def __init__(
        self,
        message: str,
        *,
        command: str | None = None,
        cms_code: int | None = None,
        cme_code: int | None = None,
        permanent: bool | None = None,
    ) -> None:
        if permanent is None:
            permanent = cms_code in PERMANENT_CMS_CODES
        super().__init__(message, permanent=permanent)
        self.command = command
        self.cms_code = cms_code
        self.cme_code = cme_code


class ModemTimeout(ModemError, TimeoutError):
    """The modem gave no final result code within the command's timeout."""


class ModemGone(ModemError):
    """The serial device disappeared or was closed under the driver."""
