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
    pass
