"""A PII scrubber component for world `docs:processor/processor`, in Python (componentize-py).

It redacts the same things as the C scrubber (examples/scrubber-c/pii.c), with the same rules,
written as regular expressions: US social security numbers (123-45-6789), email addresses and
US phone numbers (555-123-4567, (555) 123-4567, +1 555 123 4567, ...). The examples' tests run
one table of cases against both.
"""

import re

import wit_world
from wit_world.imports import logger
from wit_world.imports.types import Metadata

REDACTION = "[REDACTED]"

# No letter or digit may touch a number on either side.
_WORD_START = r"(?<![A-Za-z0-9])"
_WORD_END = r"(?![A-Za-z0-9])"

_SSN = _WORD_START + r"[0-9]{3}-[0-9]{2}-[0-9]{4}" + _WORD_END

_PHONE = (
    _WORD_START
    + r"(?:\+?1[-. ])?"  # country code
    + r"(?:\([0-9]{3}\) ?|[0-9]{3}[-. ])"  # area code
    + r"[0-9]{3}[-. ][0-9]{4}"
    + _WORD_END
)

# local-part@domain.tld: the local part starts where a run of its characters starts; the domain
# is the longest run of domain characters less trailing dots and hyphens (so a full stop after
# an address stays), begins with a letter or digit, and ends in a top-level domain of two or
# more letters after a non-empty label.
_EMAIL = (
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@"
    r"[A-Za-z0-9][A-Za-z0-9.-]*(?<!\.)\.[A-Za-z]{2,}"
    r"(?=[.-]*(?![A-Za-z0-9.-]))"
)

_PII = re.compile(f"{_EMAIL}|{_SSN}|{_PHONE}", re.ASCII)


def scrub(text: str) -> tuple[str, int]:
    """Returns `text` with every match replaced by REDACTION, and the number of matches."""
    return _PII.subn(REDACTION, text)


class WitWorld(wit_world.WitWorld):
    """The exports of world `processor`."""

    def scrub_pii(self, text: str) -> str:
        return scrub(text)[0]

    def process(self, doc: str, meta: Metadata) -> str:
        clean, redactions = scrub(doc)
        # The source is scrubbed in the log line too: logs must not leak what we redact.
        source = scrub(meta.source)[0]
        noun = "redaction" if redactions == 1 else "redactions"
        logger.log(
            logger.Level.INFO,
            f'processed document {meta.id} from "{source}" (priority {meta.priority}): '
            f"{redactions} {noun}",
        )
        return clean
