"""``qdled validate``: check a stack or recipe file and print it back normalised."""

from __future__ import annotations

from pathlib import Path

import typer

from qdled.cli._common import JsonOpt


def validate(
    kind: str = typer.Argument(..., help="'stack' or 'recipe'."),
    file: Path = typer.Argument(..., help="TOML file to check."),
    as_json: bool = JsonOpt,
) -> None:
    """Validate a stack or recipe file; errors name the bad field (exit code 2)."""
    from qdled.cli._common import print_json
    from qdled.errors import InputError

    if kind == "stack":
        from qdled.io.stack import load_stack

        obj = load_stack(file)
    elif kind == "recipe":
        from qdled.io.recipe import load_recipe

        obj = load_recipe(file)
    else:
        raise InputError(f"kind must be 'stack' or 'recipe', got {kind!r}")
    if as_json:
        print_json({"valid": True, "kind": kind, "file": str(file)})
    else:
        typer.echo(f"{file}: valid {kind}\n")
        typer.echo(obj.to_toml())


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
