"""The ``salesflow`` command group and the one place that turns errors into exit statuses."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

import click

from salesflow import __version__
from salesflow.cli._demo import demo
from salesflow.cli._imports import import_group
from salesflow.cli._output import Output
from salesflow.cli._processes import process_group
from salesflow.cli._report_command import forecast, report
from salesflow.cli._terminal import harden_streams, safe_text
from salesflow.errors import MissingExtraError, SalesflowError

__all__ = ["cli", "run"]

OK, DATA_PROBLEMS, USAGE = 0, 1, 2


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    no_args_is_help=True,
)
@click.version_option(
    __version__, "--version", prog_name="salesflow", message="%(prog)s %(version)s"
)
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or notes on stderr.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Model B2B sales processes and inspect pipelines.

    Exit status: 0 ok, 1 data problems found (invalid file, refused records),
    2 usage error (unknown command, option, file or preset).
    """
    ctx.obj = Output(debug=debug, quiet=quiet)


cli.add_command(demo)
cli.add_command(report)
cli.add_command(forecast)
cli.add_command(process_group)
cli.add_command(import_group)


def _error(message: str) -> None:
    """Each line of ``message``, escaped, after ``salesflow: error:`` on stderr."""
    lines = [safe_text(line) for line in str(message).splitlines() or [""]]
    sys.stderr.write(f"salesflow: error: {lines[0]}\n")
    for line in lines[1:]:
        sys.stderr.write(f"  {line.strip()}\n")


def _silence_stdout() -> None:
    """Point stdout at the null device so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's stream)
        pass
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives until exit


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    0 ok; 1 data problems (a :class:`~salesflow.SalesflowError`, refused
    records, output that could not be written, a pipe closed before the
    output was written); 2 usage errors; 130 on Ctrl-C. Errors are one line
    each on stderr; ``--debug`` shows the traceback instead.
    """
    harden_streams()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        status = cli.main(args=args, prog_name="salesflow", standalone_mode=False)
        sys.stdout.flush()
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        sys.stderr.write("salesflow: interrupted\n")
        return 130
    except BrokenPipeError:  # `salesflow demo | head`: the reader left; say nothing
        _silence_stdout()
        return DATA_PROBLEMS
    except MissingExtraError as exc:
        if debug:
            raise
        _error(str(exc))
        return USAGE
    except SalesflowError as exc:
        if debug:
            raise
        _error(str(exc))
        return DATA_PROBLEMS
    except OSError as exc:  # e.g. stdout on a full disk
        if debug:
            raise
        if exc.filename is None:
            _silence_stdout()
        _error(f"cannot write: {exc.strerror or exc}")
        return DATA_PROBLEMS
    except Exception as exc:
        if debug:
            raise
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        _error(
            f"internal error: {type(exc).__name__}: {exc} "
            f"(at {os.path.basename(frame.filename)}:{frame.lineno}; --debug shows the traceback)"
        )
        return DATA_PROBLEMS
    return status if isinstance(status, int) else OK
