"""Errors the user sees: each carries a one-line message meant for the screen or terminal."""


class DeskError(Exception):
    """A problem the user can act on; ``str(error)`` is the whole message.

    Any ID number or mobile in the message is masked, as screens show them: the message
    reaches a screen, a terminal or a log wherever it is caught, and may quote what was
    typed or stored (``args`` keep the words as raised).
    """

    def __str__(self) -> str:
        # Here, not at import: desk.rules imports this module.
        from desk.rules.masking import mask_identity_in_text

        return mask_identity_in_text(super().__str__())


class DatabaseProblem(DeskError):
    """The database cannot be opened or used as it is (unreachable, newer schema, …)."""

    def __init__(self, message: str, *, cause: str = "") -> None:
        super().__init__(message)
        # Without the server's name, for a line that shows the server already.
        self.cause = cause or message


class DatabaseFailure(DeskError):
    """A read or write the database did not complete; nothing of it was kept.

    ``kind`` is one of ``db.faults.FaultKind``; the message says it in the user's
    language, with the reference of the log entry that holds the driver's own words.
    """

    def __init__(self, message: str, *, kind: str, reference: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.reference = reference
