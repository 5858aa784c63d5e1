"""One spelling across the CLI: every command's --json flag is the parameter ``as_json``."""

import typer

from qdled.cli.main import app


def _commands(cmd, path=()):
    sub = getattr(cmd, "commands", None)
    if sub is None:
        yield path, cmd
        return
    for name, child in sub.items():
        yield from _commands(child, (*path, name))


def test_json_option_has_one_spelling():
    seen = []
    for path, cmd in _commands(typer.main.get_command(app)):
        for param in cmd.params:
            if "--json" in getattr(param, "opts", ()):
                assert param.name == "as_json", (path, param.name)
                seen.append(path)
    assert len(seen) >= 10  # synthesize, dots, optics, device, reproduce, sweep, optimize, bind, validate, analyze ...
