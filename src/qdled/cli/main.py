"""Entry point of the ``qdled`` command."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

import qdled
import qdled.cli as _cli_pkg

app = typer.Typer(
    name="qdled",
    help="qdled: a computational twin of a pure-red CsPbI3 quantum-dot LED.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_DEBUG = {"on": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qdled {qdled.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback on errors."),
) -> None:
    _DEBUG["on"] = debug


def _register_commands() -> None:
    for mod in sorted(pkgutil.iter_modules(_cli_pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith("_") or mod.name == "main":
            continue
        module = importlib.import_module(f"qdled.cli.{mod.name}")
        module.register(app)


_register_commands()


def _option_names(argv: list[str]) -> dict[str, str]:
    """Python parameter name -> long option name (``n_bins`` -> ``--bins``) of the command in ``argv``."""
    try:
        cmd = typer.main.get_command(app)
        for token in argv:
            sub = getattr(cmd, "commands", None)
            if token.startswith("-") or sub is None:
                continue
            if token not in sub:
                break
            cmd = sub[token]
        return {
            p.name: max(p.opts, key=len)
            for p in getattr(cmd, "params", ())
            if p.name and p.opts and p.opts[0].startswith("-")
        }
    except Exception:  # noqa: BLE001 - naming the option is a nicety; never fail the error report on it
        return {}


def _as_option(message: str, argv: list[str]) -> str:
    """An API message that starts with a parameter's Python name, shown with the option the user typed.

    The API names its arguments (``n_bins must be in 50..10000``); at the command line the same value
    came from an option (``--bins``), and the message should say so.
    """
    word = message.split(" ", 1)[0].removesuffix(":")  # "n_bins must ..." or "vary: each key ..."
    if word.isidentifier() and " " in message:
        names = _option_names(argv)
        option = names.get(word) or (names.get(word[2:]) if word.startswith("n_") else None)  # n_components
        if option is not None:
            return option + message[len(word) :]
    return message


def _one_line(exc: BaseException) -> str:
    """Format an input error as a single line naming the bad value."""
    try:
        from pydantic import ValidationError
    except ImportError:  # pragma: no cover
        ValidationError = ()  # type: ignore
    if isinstance(exc, ValidationError):
        parts = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()))
            parts.append(
                f"{loc}: {e.get('msg')}"
                + (f" (got {e['input']!r})" if "input" in e and not isinstance(e["input"], dict) else "")
            )
        return f"invalid {exc.title}: " + "; ".join(parts)
    if isinstance(exc, OSError) and exc.filename is not None:  # e.g. a read-only or full disk: name the file
        return f"{exc.filename}: {(exc.strerror or exc.__class__.__name__).lower()}"
    return str(exc) or exc.__class__.__name__


def run() -> None:
    """Run the CLI; input errors become one line on stderr and exit code 2."""
    from qdled.errors import ConvergenceError, InputError

    debug = "--debug" in sys.argv[1:]
    interrupted = "qdled: interrupted (outputs are written atomically; a sweep continues with --resume)\n"
    try:
        code = app(standalone_mode=False)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:  # Ctrl-C outside a command: one line, not a traceback
        if debug:
            raise
        sys.stderr.write(interrupted)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the edge of the program
        import click
        from pydantic import ValidationError

        try:  # typer >= 0.29 vendors its own click: its exceptions are not click's
            from typer._click import exceptions as _typer_click
        except ImportError:  # pragma: no cover - older typer
            _typer_click = click.exceptions
        aborts = (click.exceptions.Abort, getattr(_typer_click, "Abort", click.exceptions.Abort))
        usage = (click.ClickException, _typer_click.ClickException)
        if isinstance(exc, aborts):
            sys.exit(130)
        if isinstance(exc, usage):
            exc.show()
            sys.exit(2)
        if debug:
            raise
        if isinstance(exc, (InputError, ValidationError, OSError)):  # OSError: a file the user named
            message = _one_line(exc)
            if isinstance(exc, InputError):
                message = _as_option(message, sys.argv[1:])
            sys.stderr.write(f"qdled: error: {message}\n")
            sys.exit(2)
        if isinstance(exc, ConvergenceError):  # a solver gave up on these inputs: say so, not "internal error"
            sys.stderr.write(f"qdled: error: {_one_line(exc)}\n")
            sys.exit(1)
        sys.stderr.write(
            f"qdled: internal error: {exc.__class__.__name__}: {exc} (rerun with --debug for the traceback)\n"
        )
        sys.exit(1)
    # without standalone mode typer *returns* the code of a typer.Exit raised in a command, and turns Ctrl-C
    # into Exit(130): that code must reach the shell (it used to be dropped: Ctrl-C exited 0, silently)
    if isinstance(code, int) and not isinstance(code, bool) and code != 0:
        if code == 130:
            sys.stderr.write(interrupted)
        sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
