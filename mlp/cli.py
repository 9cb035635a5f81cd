"""The command line: ``python -m mlp example`` and ``python -m mlp explain SPEC``.

Bad input, or output that cannot be written, is answered with one line on standard error and
exit code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from mlp import compare
from mlp.errors import InputError
from mlp.numbers import to_jsonable
from mlp.one_step import explain, targets_sum_to_one
from mlp.pass_table import SOURCE_EQS
from mlp.report import format_report
from mlp.spec import load_spec, problem2

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise InputError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m mlp", description="Backpropagation through a two-layer network, step by step.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ex = sub.add_parser("example", help="work the source's Problem 2 through one gradient step")
    ex.add_argument("--json", action="store_true", help="print every quantity as JSON")
    sp = sub.add_parser("explain", help="work a network given as a JSON spec through one gradient step")
    sp.add_argument("spec", help="path to a JSON spec, or - for standard input")
    sp.add_argument("--json", action="store_true", help="print every quantity as JSON")
    sp.add_argument("--compare", metavar="MINE", help="check your own numbers (JSON keyed as --json) to 4 decimals")
    return parser


def _read(path: str, stdin, what: str = "spec file") -> str:
    """The text of a file, or of standard input for "-"; ``what`` names it in a message ("spec file")."""
    if path == "-":
        if stdin is None:
            raise InputError(f"standard input is closed: give a {what}, or pipe it into `explain -`")
        stream = getattr(stdin, "buffer", stdin)  # bytes, so a bad encoding is ours to report
        try:
            data = stream.read()
        except (OSError, ValueError) as e:
            raise InputError(f"cannot read standard input: {getattr(e, 'strerror', None) or e}") from None
        if isinstance(data, str):
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("standard input is not UTF-8 text") from None
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise InputError(f"cannot read {what} {path!r}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{what} {path!r} is not UTF-8 text") from None


def _one_line(message: str) -> str:
    """A message on one line, whatever it quotes (a file name or argument may hold a newline)."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


def _writable(text: str, stream) -> str:
    """text as the stream can encode it: a character it cannot (a file name in an ASCII terminal) as an escape."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        return text


def run(argv=None, stdin=None, stdout=None, stderr=None) -> int:
    """Run the command line with the given arguments and streams (default: sys's); return the exit code."""
    stdin = sys.stdin if stdin is None else stdin  # None: standard input is closed
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if stderr is None:  # nowhere to say anything: the exit code says it
        return EXIT_BAD_INPUT
    if stdout is None:  # `python -m mlp example >&-`: Python sets sys.stdout to None
        print("mlp: error: standard output is closed: nothing can be written", file=stderr)
        return EXIT_BAD_INPUT
    try:
        args = _parser().parse_args(argv)
        if args.command == "example":
            spec, eqs = problem2(), SOURCE_EQS
            title = "The source's Problem 2: " + spec.source.split(": ", 1)[-1] + f", lr = {spec.lr:g}"
        else:
            spec, eqs = load_spec(_read(args.spec, stdin)), None
            title = f"Network {args.spec!r}: {spec.activation} hidden layer, softmax output, {spec.loss} loss"
        if getattr(args, "compare", None) is not None:  # exit 1 when a step of yours is wrong; see mlp/compare.py
            text, code = compare.report(spec, _read(args.compare, stdin, "file of your numbers"), args.json)
        else:
            result, code = explain(spec), 0
    except InputError as e:
        print(_writable(f"mlp: error: {_one_line(str(e))}", stderr), file=stderr)
        return EXIT_BAD_INPUT
    comparing = getattr(args, "compare", None) is not None
    if spec.loss == "cross_entropy" and not targets_sum_to_one(spec.y) and not comparing:
        print(
            f"mlp: warning: the cross-entropy target y sums to {float(spec.y.sum()):.10g}, not 1: "
            "delta2 is then y_hat * sum(y) - y, not y_hat - y",
            file=stderr,
        )
    if not comparing:
        text = json.dumps(to_jsonable(result), indent=2) if args.json else format_report(spec, result, title, eqs)
    try:
        stdout.write(_writable(text, stdout) + "\n")
        stdout.flush()
    except OSError as e:  # a closed pipe (`| head -1`), a full disk (`> /dev/full`)
        print(f"mlp: error: cannot write the output: {e.strerror or str(e) or type(e).__name__}", file=stderr)
        return EXIT_BAD_INPUT
    return code


def main() -> None:
    code = run()
    if code != 0 and sys.stdout is not None:
        try:  # nothing more may be written to a broken standard output when Python exits
            sys.stdout.flush()
        except OSError:
            pass
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    sys.exit(code)
