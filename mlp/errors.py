"""The one exception of mlp."""


class InputError(ValueError):
    """Bad input to mlp: the message says what is wrong and where."""
