"""`kiosk procedures ...`: check procedure files, list the catalogue."""
from __future__ import annotations

from pathlib import Path

import click

from kiosk.i18n import _, ngettext
from kiosk.practice.model import LEVEL_LABELS


@click.group("procedures")
def procedures() -> None:
    """Practice procedures (site fantôme): check and list them."""


@procedures.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Check procedure files or folders (default: the shipped catalogue and practice.extra_dir).

    Prints every problem as FILE:LINE: what is wrong and what to do. A missing translation is a
    warning (the procedure stays a draft that mediators can try); anything else is an error.
    Exit code 1 on any error.
    """
    from kiosk.practice.catalogue import SHIPPED_DIR, catalogue_paths, shipped_ids
    from kiosk.practice.checker import check_paths

    if not paths:
        from kiosk.cli import load_settings

        paths = tuple(catalogue_paths(load_settings(ctx)))
    shipped = SHIPPED_DIR.resolve()
    # A site's own files join the shipped catalogue: an id already there is an error.
    joins_shipped = not any(p.resolve() == shipped or p.resolve().is_relative_to(shipped)
                            for p in paths)
    report = check_paths(paths, taken=shipped_ids() if joins_shipped else None)
    for finding in report.findings:
        click.echo(str(finding), err=True)
    files = ngettext("{n} fichier vérifié", "{n} fichiers vérifiés", report.files).format(
        n=report.files)
    if report.ok:
        ready = len(report.procedures)
        click.echo(files + " : " + ngettext(
            "tout est correct ({n} démarche prête).",
            "tout est correct ({n} démarches prêtes).", ready).format(n=ready))
        if report.drafts:
            click.echo(ngettext(
                "{n} brouillon à traduire avant de le montrer au public (les médiateurs "
                "peuvent déjà l'essayer).",
                "{n} brouillons à traduire avant de les montrer au public (les médiateurs "
                "peuvent déjà les essayer).", len(report.drafts)).format(n=len(report.drafts)))
        return
    errors = len(report.errors)
    click.echo(files + " : " + ngettext("{n} problème à corriger.", "{n} problèmes à corriger.",
                                        errors).format(n=errors), err=True)
    ctx.exit(1)


@procedures.command("list")
@click.pass_context
def list_procedures(ctx: click.Context) -> None:
    """List the procedures the kiosk offers, by theme."""
    from kiosk.cli import load_settings
    from kiosk.practice.catalogue import catalogue_paths, load_catalogue
    from kiosk_wire.schema import THEME_LABELS_FR

    catalogue = load_catalogue(catalogue_paths(load_settings(ctx)))
    for theme, items in sorted(catalogue.by_theme().items(), key=lambda kv: kv[0].value):
        click.echo(THEME_LABELS_FR[theme])
        for p in items:
            click.echo(f"  {p.id:28} {p.title.fr} ({p.operator.name}, "
                       f"{LEVEL_LABELS[p.level].fr.lower()}, {p.duration_min} min, "
                       f"{len(p.pages)} pages)")
    if catalogue.skipped:
        click.echo(ngettext("{count} problème : lancez `kiosk procedures check`.",
                            "{count} problèmes : lancez `kiosk procedures check`.",
                            len(catalogue.skipped)).format(count=len(catalogue.skipped)),
                   err=True)
        ctx.exit(1)


@procedures.command("show")
@click.argument("procedure_id")
@click.option("--lang", type=click.Choice(["fr", "en", "ar"]), default="fr",
              help="Language of the texts shown.")
@click.pass_context
def show(ctx: click.Context, procedure_id: str, lang: str) -> None:
    """Print a procedure as a mediator reviews it: persona card, pages, fields, hints, traps."""
    from kiosk.cli import load_settings
    from kiosk.practice.catalogue import catalogue_paths, load_catalogue
    from kiosk.practice.steps import page_depths

    catalogue = load_catalogue(catalogue_paths(load_settings(ctx)))
    try:
        p = catalogue.get(procedure_id)
    except KeyError:
        click.echo(_("Aucune démarche « {id} ». Démarches : {known}").format(
            id=procedure_id, known=", ".join(catalogue.ids())), err=True)
        ctx.exit(1)
        return
    depths = page_depths(p)
    click.echo(f"{p.title.get(lang)} [{p.id}] — {p.operator.name} ({p.operator.address})")
    click.echo(p.summary.get(lang))
    click.echo("")
    click.echo(p.persona.card.get(lang))
    for label, shown in p.persona_rows(lang):
        click.echo(f"  {label} : {shown}")
    for page in p.pages:
        end = " (fin)" if page.end else ""
        click.echo(f"\n{_('Étape')} {depths.get(page.id, '?')} — {page.title.get(lang)} "
                   f"[{page.id}]{end}")
        for fld in page.fields:
            answer = p.persona.value(fld.persona) if fld.persona else fld.expected
            click.echo(f"  - {fld.label.get(lang)} ({fld.type.value})"
                       + (f" = {answer}" if answer is not None else ""))
        for hint in page.hints:
            click.echo(f"    ? {hint.text.get(lang)}")
        for trap in page.traps:
            click.echo(f"    ! {trap.kind.value}")
        targets = ", ".join(b.page if b.field is None else f"{b.field}={b.equals} → {b.page}"
                            for b in page.next)
        if targets:
            click.echo(f"    → {targets}")


@procedures.command("parcours")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def parcours(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Check parcours files or folders and list their exercises (default: the shipped parcours
    and practice.parcours_dir).

    Each step must be a procedure of the catalogue (shipped + practice.extra_dir); every problem
    is printed as FILE:LINE: what is wrong and what to do. Exit code 1 on any error.
    """
    from kiosk.cli import load_settings
    from kiosk.practice.catalogue import catalogue_paths, load_catalogue
    from kiosk.practice.parcours_file import check_parcours, parcours_paths

    settings = load_settings(ctx)
    catalogue = load_catalogue(catalogue_paths(settings))
    roots = list(paths) or parcours_paths(str(settings.get("practice.parcours_dir")))
    missing = [p for p in roots if not p.exists()]
    for path in missing:
        click.echo(f"{path}: " + _("ce fichier ou dossier n'existe pas"), err=True)
    report = check_parcours(roots, catalogue.ids())
    for finding in report.findings:
        click.echo(str(finding), err=True)
    for found in report.parcours:
        click.echo(f"{found.id:20} {found.title.fr}")
        for number, step in enumerate(found.steps, 1):
            click.echo(f"  {number}. {step:28} {catalogue.get(step).title.fr}")
    if report.errors or missing:
        errors = len(report.errors) + len(missing)
        click.echo(ngettext("{n} problème à corriger.", "{n} problèmes à corriger.",
                            errors).format(n=errors), err=True)
        ctx.exit(1)
