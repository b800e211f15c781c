"""Reading the CSV files the C++ side writes, for the plotting tools: one
message per problem, naming the file (and column)."""
import pandas as pd


class InputError(Exception):
    """A missing or malformed input; the message names the file (and column)."""


def read_csv_columns(path, columns, what):
    """The CSV at `path` as text, checked to exist, parse, hold every name in
    `columns` and have rows; `what` says which directory was expected
    ("an evaluation report directory")."""
    if not path.is_file():
        raise InputError(f"{path}: no such file (is {path.parent} {what}?)")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not a readable CSV ({str(e).strip().splitlines()[0]})") from None
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise InputError(f"{path}: missing column '{missing[0]}' (header: {','.join(raw.columns)})")
    if raw.empty:
        raise InputError(f"{path}: no rows")
    return raw
