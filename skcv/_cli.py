"""Command-line entry point: ``skcv demo [NAME] [options]``."""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> module that defines ``add_arguments(parser)`` and ``run(args) -> int``.
DEMOS = {
    "textures": "skcv._demos.textures",
    "cifar10": "skcv._demos.cifar10",
}


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the requested demo; return the exit status."""
    parser = argparse.ArgumentParser(prog="skcv", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run a demo on bundled or local data")
    demos = demo.add_subparsers(dest="name")
    available = {}
    for name, module_name in DEMOS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a demo not written yet
            if exc.name != module_name:
                raise
            continue
        available[name] = module
        p = demos.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
        module.add_arguments(p)
    argv = list(sys.argv[1:] if argv is None else argv)
    # ``skcv demo [--options]`` runs the default (textures) demo with those options.
    if argv[:1] == ["demo"] and (len(argv) == 1 or argv[1] not in demos.choices):
        if not (len(argv) > 1 and argv[1] in ("-h", "--help")):
            argv.insert(1, "textures")
    args = parser.parse_args(argv)
    name = args.name
    return int(available[name].run(args) or 0)
