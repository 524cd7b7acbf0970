"""The ``simkit`` command group; command modules register on :data:`main`."""

from __future__ import annotations

import sys

import click

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
            msg = str(exc)
            if isinstance(exc, ScenarioError) and len(exc.problems) == 1:
                msg = " ".join(line.strip() for line in msg.splitlines())  # one line
            click.echo(f"error: {msg}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("\ninterrupted: stopped, nothing half-written was left "
                       "(已中断，未留下写了一半的文件)", err=True)
            sys.exit(130)
        except _Terminated:
            click.echo("terminated: stopped, nothing half-written was left (已终止)", err=True)
            sys.exit(143)
        except MemoryError:
            click.echo("error: out of memory; use fewer replications, reps or weeks "
                       "(内存不足)", err=True)
            sys.exit(2)
        except OSError as exc:
            where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            click.echo(f"error:{where}: {exc.strerror or exc} (nothing was written)", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="simkit")
def main() -> None:
    """simkit: simulate a sales funnel, and plan and train with it.

    Time is in weeks and money in 万 CNY (10,000 CNY).
    """
