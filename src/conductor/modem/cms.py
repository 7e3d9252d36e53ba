"""What a ``+CMS ERROR: <n>`` means, and whether retrying can help.

Codes 0-127 are the network's RP-cause and TP-cause values (3GPP TS 24.011 annex E-2 and
TS 23.040 9.2.3.22) passed through by the modem; 128-255 are TP-FCS failure causes
(TS 23.040); 300-340 and 500 are the modem's own (TS 27.005 3.2.5); 512 and above are
manufacturer specific.

``permanent`` is the one attribute retry logic reads: a permanent failure fails the same way
when the same PDU is sent again to the same number (a barred or unknown subscriber, a malformed
PDU, a SIM that is missing), a transient one may succeed later (congestion, no service, a
network timeout). Codes not in the table are transient unless they fall in a range the
standards define as protocol errors.

Written by hand: no maintained Python library carries this table with a retry verdict.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CmsError:
    """One +CMS ERROR code: its number, what it means and whether a retry can succeed."""

    code: int
    meaning: str
    permanent: bool


_PERMANENT: dict[int, str] = {
    1: "unassigned (unallocated) number",
    8: "operator determined barring",
    10: "call barred",
    21: "short message transfer rejected",
    28: "unidentified subscriber",
    29: "facility rejected",
    30: "unknown subscriber",
    50: "requested facility not subscribed",
    69: "requested facility not implemented",
    81: "invalid short message transfer reference value",
    95: "invalid message, unspecified",
    96: "invalid mandatory information",
    97: "message type non-existent or not implemented",
    98: "message not compatible with short message protocol state",
    99: "information element non-existent or not implemented",
    111: "protocol error, unspecified",
    127: "interworking, unspecified",
    128: "telematic interworking not supported",
    129: "short message type 0 not supported",
    130: "cannot replace short message",
    143: "unspecified TP-PID error",
    144: "data coding scheme (alphabet) not supported",
    145: "message class not supported",
    159: "unspecified TP-DCS error",
    160: "command cannot be actioned",
    161: "command unsupported",
    175: "unspecified TP-Command error",
    176: "TPDU not supported",
    193: "no SC subscription",
    195: "invalid SME address",
    197: "no SMS storage capability in SIM",
    301: "SMS service of ME reserved",
    302: "operation not allowed",
    303: "operation not supported",
    304: "invalid PDU mode parameter",
    305: "invalid text mode parameter",
    310: "SIM not inserted",
    311: "SIM PIN required",
    312: "PH-SIM PIN required",
    313: "SIM failure",
    315: "SIM wrong",
    316: "SIM PUK required",
    317: "SIM PIN2 required",
    318: "SIM PUK2 required",
    321: "invalid memory index",
    330: "SMSC address unknown",
    340: "no +CNMA acknowledgement expected",
}

_TRANSIENT: dict[int, str] = {
    17: "network failure",
    22: "memory capacity exceeded (recipient)",
    27: "destination out of service",
    38: "network out of order",
    41: "temporary failure",
    42: "congestion",
    47: "resources unavailable, unspecified",
    192: "SC busy",
    194: "SC system failure",
    196: "SIM SMS storage full",
    198: "error in MS",
    199: "memory capacity exceeded",
    208: "SIM data download error",
    255: "unspecified error cause",
    300: "ME failure",
    314: "SIM busy",
    320: "memory failure",
    322: "memory full",
    331: "no network service",
    332: "network timeout",
    500: "unknown error",
}

CMS_ERRORS: dict[int, CmsError] = {
    code: CmsError(code, meaning, permanent)
    for table, permanent in ((_PERMANENT, True), (_TRANSIENT, False))
    for code, meaning in table.items()
}

# Ranges TS 24.011 annex E-2 reserves for invalid messages and protocol errors: whatever the
# exact value, the same message will be refused again.
_PERMANENT_RANGES = (range(95, 112), range(128, 192))


def cms_error(code: int) -> CmsError:
    """The table entry for ``code``; codes outside the table get a generic entry."""
    known = CMS_ERRORS.get(code)
    if known is not None:
        return known
    permanent = any(code in span for span in _PERMANENT_RANGES)
    if code >= 512:
        return CmsError(code, "manufacturer specific error", permanent=False)
    return CmsError(code, "unknown cause", permanent)
