"""Errors a user can act on: the message says what went wrong and what to do."""


class WengaoError(Exception):
    """An expected failure with a message meant for the user."""


class IndexMissing(WengaoError):
    pass


class IndexInvalid(WengaoError):
    pass


class ModelMissing(WengaoError):
    pass


class OffCorpus(WengaoError):
    """The corpus has nothing on `query`; the message is worded for the command line.

    The facts go with it (`topics`: the speeches the corpus holds; None when not
    known) so that another front end can word its own advice on adding material.
    """

    def __init__(self, message: str, query: str = "", topics: list[str] | None = None):
        super().__init__(message)
        self.query = query
        self.topics = topics
