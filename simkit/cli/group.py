"""The ``simkit`` command group; command modules register on :data:`main`."""

from __future__ import annotations

import sys

import click

from simkit.cli.lang import LANG_META, default_language, msg, set_cli_language
from simkit.course.i18n import LANGUAGES
from simkit.model.errors import ScenarioError, SimkitInputError

__all__ = ["main"]


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so that half-written output is cleaned up."""


def _on_sigterm(signum, frame):
    raise _Terminated()


class _Group(click.Group):
    def invoke(self, ctx):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return super().invoke(ctx)
        except (ScenarioError, SimkitInputError) as exc:
            text = str(exc)
            if isinstance(exc, ScenarioError) and len(exc.problems) == 1:
                text = " ".join(line.strip() for line in text.splitlines())  # one line
            _fail(ctx, "cli.error", 2, message=text)
        except KeyboardInterrupt:
            click.echo("", err=True)  # the line ^C was typed on
            _fail(ctx, "cli.interrupted", 130)
        except _Terminated:
            _fail(ctx, "cli.terminated", 143)
        except MemoryError:
            _fail(ctx, "cli.out_of_memory", 2)
        except BrokenPipeError:
            # The reader stopped reading (`simkit presets | head -2`): what it took was
            # written, nothing else is to be said. Exit as a shell reports SIGPIPE (128 + 13),
            # with stdout pointed at /dev/null so the interpreter's flush at exit is quiet.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except OSError as exc:
            reason = exc.strerror or exc
            if getattr(exc, "filename", None):
                _fail(ctx, "cli.os_error_at", 2, where=exc.filename, reason=reason)
            _fail(ctx, "cli.os_error", 2, reason=reason)


def _fail(ctx: click.Context, key: str, status: int, **values) -> None:
    """One line on stderr, in the command's language, and exit with ``status``."""
    click.echo(msg(key, ctx.meta.get(LANG_META) or default_language(), **values), err=True)
    sys.exit(status)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="simkit")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default=None,
              help="Language of the printed output: zh (中文) or en. Default: SIMKIT_LANG, "
                   "else the system locale (zh_* is Chinese), else en. --json stays English.")
@click.pass_context
def main(ctx: click.Context, lang: str | None) -> None:
    """simkit: simulate a sales funnel, and plan and train with it.

    Time is in weeks and money in 万 CNY (10,000 CNY).
    """
    set_cli_language(ctx, lang)
