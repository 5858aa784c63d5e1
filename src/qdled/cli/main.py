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
    return str(exc) or exc.__class__.__name__


def run() -> None:
    """Run the CLI; input errors become one line on stderr and exit code 2."""
    from qdled.errors import InputError

    debug = "--debug" in sys.argv[1:]
    try:
        app(standalone_mode=False)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except (SystemExit, KeyboardInterrupt):
        raise
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
        if isinstance(exc, (InputError, ValidationError, FileNotFoundError, IsADirectoryError, PermissionError)):
            sys.stderr.write(f"qdled: error: {_one_line(exc)}\n")
            sys.exit(2)
        sys.stderr.write(
            f"qdled: internal error: {exc.__class__.__name__}: {exc} (rerun with --debug for the traceback)\n"
        )
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    run()
