"""The one exception of mlp."""


class InputError(ValueError):
    """Bad input to mlp: the message says what is wrong and where."""


def lookup(kind: str, name, table: dict):
    """table[name]; an unknown name (or one that is not a string) raises InputError listing the known ones."""
    if isinstance(name, str) and name in table:
        return table[name]
    raise InputError(f"unknown {kind} {name!r}: expected one of {', '.join(sorted(table))}")
