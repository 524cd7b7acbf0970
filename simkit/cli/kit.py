"""``simkit kit``: write the trainer's kit (scripts, handouts, answer key) to a folder."""

from __future__ import annotations

from pathlib import Path

import click

from simkit.cli.group import main
from simkit.cli.lang import msg
from simkit.course.i18n import LANGUAGES
from simkit.course.kit import write_kit
from simkit.model.errors import SimkitInputError

KIT_LANGS = (*LANGUAGES, "both")


@main.command()
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), metavar="DIR",
              help="Folder to write the kit to (new, empty, or an earlier kit, which is "
                   "replaced).")
@click.option("--lang", default="both", show_default=True, metavar="zh|en|both",
              help="Language of the kit.")
def kit(out: Path, lang: str) -> None:
    """The trainer's kit: minute-by-minute scripts for the 90-minute and half-day sessions,
    printable handouts (case A and B worksheets, exercise sheet) and a separate answer key,
    as print-ready HTML. Every number in it is computed by simkit."""
    if lang not in KIT_LANGS:
        raise SimkitInputError("--lang", lang, "one of " + ", ".join(KIT_LANGS))
    files = write_kit(out, lang)
    click.echo(msg("cli.kit.wrote", files=len(files), out=out, index=out / "index.html"))
