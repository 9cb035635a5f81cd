"""The command line: ``python -m mlp example`` and ``python -m mlp explain SPEC``.

Bad input is answered with one line on standard error and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from mlp import compare
from mlp.explain import SOURCE_EQS, explain, format_report, to_jsonable
from mlp.spec import load_spec, problem2
from mlp.validate import InputError

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


def _read(path: str) -> str:
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)  # bytes, so a bad encoding is ours to report
        if stream is None:
            return sys.stdin.read()
        try:
            return stream.read().decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("standard input is not UTF-8 text") from None
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise InputError(f"cannot read spec file {path!r}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"spec file {path!r} is not UTF-8 text") from None


def run(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "example":
            spec, eqs = problem2(), SOURCE_EQS
            title = "The source's Problem 2: " + spec.source.split(": ", 1)[-1] + f", lr = {spec.lr:g}"
        else:
            spec, eqs = load_spec(_read(args.spec)), None
            title = f"Network {args.spec}: {spec.activation} hidden layer, softmax output, {spec.loss} loss"
        if getattr(args, "compare", None):  # exit 1 when a number of yours disagrees; see mlp/compare.py
            return compare.run(spec, _read(args.compare), args.json)
        result = explain(spec)
    except InputError as e:
        print(f"mlp: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(to_jsonable(result), indent=2))
    else:
        print(format_report(spec, result, title, eqs))
    return 0


def main() -> None:
    sys.exit(run())
