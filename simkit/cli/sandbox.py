"""``simkit sandbox``: the classroom sales sandbox (销售沙盘).

``simkit sandbox create --db FILE``: a new session file (teams, rounds, market,
starting branch from a preset or a scenario file); ``simkit sandbox serve --db
FILE``: the web app (trainer's console, team pages, projector leaderboard),
on 127.0.0.1 unless ``--host`` is given. A killed server restarted on the same
file resumes where it was.
"""

from __future__ import annotations

from pathlib import Path

import click

from simkit.model.errors import SimkitInputError
from simkit.cli.group import main
from simkit.cli.lang import msg
from simkit.cli.common import resolve_scenario, scenario_options

LANGS = ("zh", "en")


@main.group()
def sandbox() -> None:
    """The classroom sales sandbox (销售沙盘): create a session, serve the web app."""


@sandbox.command()
@click.option("--db", "db", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Session file to create (SQLite; must not exist).")
@click.option("--teams", type=click.IntRange(2, 8), default=4, show_default=True)
@click.option("--rounds", type=click.IntRange(1, 12), default=4, show_default=True)
@click.option("--regime", type=click.Choice(["random", "growing", "saturating", "stagnant"]),
              default="random", show_default=True, help="Hidden market regime.")
@click.option("--seed", type=click.IntRange(0), default=7, show_default=True)
@click.option("--replications", type=click.IntRange(5, 2000), default=60, show_default=True,
              help="Replications of each team's quarter when a round closes.")
@scenario_options
def create(db: Path, teams: int, rounds: int, regime: str, seed: int, replications: int,
           scenario_file, preset_name, sets) -> None:
    """Create a session; prints the join codes and the trainer's key."""
    from simkit.sandbox import Sandbox

    sc = resolve_scenario(scenario_file, preset_name, sets)
    sb = Sandbox.create(db, teams=teams, rounds=rounds, regime=regime, seed=seed, scenario=sc,
                        replications=replications)
    click.echo(msg("cli.sandbox.created", db=db, teams=teams, rounds=rounds, name=sc.name))
    for name, code in sb.join_codes().items():
        click.echo(msg("cli.sandbox.team", team=name, code=code))
    click.echo(msg("cli.sandbox.key", trainer_key=sb.trainer_key))
    sb.close()


@sandbox.command()
@click.option("--db", "db", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Session file (created from the trainer's page when it does not exist).")
@click.option("--port", type=click.IntRange(1, 65535), default=8870, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; give the laptop's address (or 0.0.0.0) for a classroom "
                   "network. Default: this computer only.")
@click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True,
              help="Language pages open in (each page has a switch).")
@click.option("--workers", type=click.IntRange(0, 16), default=2, show_default=True,
              help="Processes that simulate a round's quarters, plus one for previews "
                   "(0: everything in the server's process).")
def serve(db: Path, port: int, host: str, lang: str, workers: int) -> None:
    """Serve the sandbox's web app until Ctrl-C."""
    try:
        import uvicorn

        from simkit.sandbox.web import create_app
    except ImportError as exc:
        raise SimkitInputError("extras", exc.name,
                               "installed: pip install -e '.[sandbox]'") from None
    app = create_app(db, host=host, port=port, lang=lang, workers=workers)
    server = app.state.server
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    where = msg("cli.sandbox.local" if server.loopback_only else "cli.sandbox.network")
    click.echo(msg("cli.sandbox.serving", db=db, url=url, host=host, where=where))
    click.echo(msg("cli.sandbox.join", url=url))
    if server.sb is None:
        click.echo(msg("cli.sandbox.no_session", url=f"{url}/trainer?key={server.setup_key}"))
    else:
        click.echo(msg("cli.sandbox.trainer", url=f"{url}/trainer?key={server.trainer_key()}"))
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False,
                proxy_headers=False, access_log=False)
