"""Command-line entry point: ``skcv COMMAND [options]`` (also ``python -m skcv``).

Each command and each demo lives in its own module, which defines
``add_arguments(parser)`` and ``run(args) -> int``; its docstring's first line is
the one-line description shown by ``skcv --help``. A command that cannot go on
(missing data, a bad file) raises :class:`CLIError`: the user sees one line,
``skcv: error: ...``, naming what to change, and no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> module that defines ``add_arguments(parser)`` and ``run(args) -> int``.
COMMANDS = {
    "demo": None,  # built here from DEMOS
    "fit": "skcv._commands.fit",
    "predict": "skcv._commands.predict",
    "evaluate": "skcv._commands.evaluate",
}
DEMOS = {
    "textures": "skcv._demos.textures",
    "cifar10": "skcv._demos.cifar10",
}
DEFAULT_DEMO = "textures"

DESCRIPTION = """\
skcv: computer vision as scikit-learn estimators.

Train and use image classifiers on bundled data or on your own folders of
images, from the command line.
"""

EPILOG = """\
examples:
  skcv demo                      texture classification on bundled images (~10 s)
  skcv demo cifar10 --download   train a CNN on CIFAR-10 (downloads 163 MB)
  skcv COMMAND --help            the options of one command
"""


class CLIError(Exception):
    """An error the command line reports in one line, without a traceback."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keep descriptions as written and show every option's default."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (
            "default" not in text
            and action.default is not argparse.SUPPRESS
            and action.option_strings
            and action.nargs != 0
        ):
            text += " (default: %(default)s)"
        return text


def _summary(module) -> str:
    """Return the first line of a module's docstring."""
    return _plain(module.__doc__).strip().splitlines()[0].rstrip(".")


def _plain(text: str | None) -> str:
    """Return a docstring as plain help text (no reStructuredText quotes)."""
    return (text or "").replace("``", "'").replace("::\n", ":\n")


def _load(module_name: str):
    """Import a command/demo module; None when it does not exist."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:  # a command not written yet
        if exc.name != module_name:
            raise
        return None


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    """Return the parser and ``{(command, demo): module}`` for every command."""
    parser = argparse.ArgumentParser(
        prog="skcv",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    sub.required = True
    modules = {}
    demo_modules = {name: _load(mod) for name, mod in DEMOS.items()}
    demo_modules = {k: v for k, v in demo_modules.items() if v is not None}
    for command, module_name in COMMANDS.items():
        if command == "demo":
            demo = sub.add_parser(
                "demo",
                help="run a demo on bundled data or CIFAR-10",
                description=(
                    f"Run a demo. Without a name, runs the '{DEFAULT_DEMO}' demo "
                    "with the options given."
                ),
                formatter_class=_Formatter,
            )
            demos = demo.add_subparsers(dest="name", metavar="DEMO", title="demos")
            option_help = []
            for name, mod in demo_modules.items():
                p = demos.add_parser(
                    name,
                    help=_summary(mod),
                    description=_plain(mod.__doc__),
                    formatter_class=_Formatter,
                )
                mod.add_arguments(p)
                modules[("demo", name)] = mod
                option_help.append(_options_text(name, p))
            demo.epilog = "\n\n".join(option_help)
            continue
        mod = _load(module_name)
        if mod is None:
            continue
        p = sub.add_parser(
            command,
            help=_summary(mod),
            description=_plain(mod.__doc__),
            formatter_class=_Formatter,
        )
        mod.add_arguments(p)
        modules[(command, None)] = mod
    return parser, modules


def _options_text(name: str, parser: argparse.ArgumentParser) -> str:
    """Return the options block of a demo's help, titled with the demo's name."""
    text = parser.format_help()
    start = text.find("options:")
    block = text[start + len("options:") :] if start >= 0 else text
    lines = [line for line in block.splitlines() if "show this help" not in line]
    return f"'{name}' demo options:" + "\n".join(lines).rstrip()


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the requested command; return the exit status."""
    parser, modules = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    demos = {name for (cmd, name) in modules if cmd == "demo"}
    # ``skcv demo [--options]`` runs the default demo with those options.
    if argv[:1] == ["demo"] and (len(argv) == 1 or argv[1] not in demos):
        if not (len(argv) > 1 and argv[1] in ("-h", "--help")):
            argv.insert(1, DEFAULT_DEMO)
    args = parser.parse_args(argv)
    module = modules[(args.command, getattr(args, "name", None))]
    try:
        return int(module.run(args) or 0)
    except CLIError as exc:
        print(f"skcv: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("skcv: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. ``skcv predict ... | head``: stop quietly
        sys.stderr.close()
        return 141
