"""`kiosk procedures ...`: check procedure files, list the catalogue."""
from __future__ import annotations

from pathlib import Path

import click

from kiosk.i18n import _
from kiosk.practice.model import LEVEL_LABELS


@click.group("procedures")
def procedures() -> None:
    """Practice procedures (site fantôme): check and list them."""


@procedures.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Check procedure files or folders (default: the shipped catalogue and practice.extra_dir).

    Prints every problem as FILE:LINE: what is wrong and what to do. Exit code 1 on any problem.
    """
    from kiosk.practice.catalogue import catalogue_paths
    from kiosk.practice.checker import check_paths

    if not paths:
        from kiosk.cli import load_settings

        paths = tuple(catalogue_paths(load_settings(ctx)))
    report = check_paths(paths)
    for finding in report.findings:
        click.echo(str(finding), err=True)
    if report.ok:
        click.echo(_("{files} fichier(s) vérifié(s) : tout est correct ({count} démarche(s)).")
                   .format(files=report.files, count=len(report.procedures)))
        return
    click.echo(_("{files} fichier(s) vérifié(s) : {count} problème(s) à corriger.")
               .format(files=report.files, count=len(report.findings)), err=True)
    ctx.exit(1)


@procedures.command("list")
@click.pass_context
def list_procedures(ctx: click.Context) -> None:
    """List the procedures the kiosk offers, by theme."""
    from kiosk.cli import load_settings
    from kiosk.practice.catalogue import catalogue_paths, load_catalogue
    from kiosk.schema import THEME_LABELS_FR

    catalogue = load_catalogue(catalogue_paths(load_settings(ctx)))
    for theme, items in sorted(catalogue.by_theme().items(), key=lambda kv: kv[0].value):
        click.echo(THEME_LABELS_FR[theme])
        for p in items:
            click.echo(f"  {p.id:28} {p.title.fr} ({p.operator.name}, "
                       f"{LEVEL_LABELS[p.level].fr.lower()}, {p.duration_min} min, "
                       f"{len(p.pages)} pages)")
    if catalogue.skipped:
        click.echo(_("{count} problème(s) : lancez `kiosk procedures check`.")
                   .format(count=len(catalogue.skipped)), err=True)
        ctx.exit(1)
