"""The root of every error an engine raises."""


class EngineError(Exception):
    """An input or state an engine cannot work with; the message is written for a facilitator."""
