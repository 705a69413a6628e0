"""The one exception type users see: a message meant for a person, printed as one line."""

from __future__ import annotations


class EmbedlabError(Exception):
    """A user-facing error: bad input, a missing model, an option out of range.

    The CLI prints ``error: <message>`` on one line and exits with code 2; library callers can
    catch it like any exception.
    """


class ModelNotAvailableError(EmbedlabError):
    """A model that is known by name but whose package or files are not installed here."""
