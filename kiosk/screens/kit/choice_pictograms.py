"""Pictograms of the choices a resident makes in a list (DSFR: a pictogram on every choice, as
the home tiles have): the document to scan, what a copy is for (its watermark), the survey's
answers. Same primitives as kit/icons.py (a unit square, origin bottom-left); importing this
module registers them in its ICONS, as kit/pictograms.py does for the confirmations' ones.
Each choice's pictogram is named here; a choice without one is caught by
tests/ui/test_choice_pictograms.py."""
from __future__ import annotations

from typing import Any

from kiosk.screens.kit.icons import ICONS

_CARD = ("line", 0.06, 0.2, 0.94, 0.2, 0.94, 0.8, 0.06, 0.8, 0.06, 0.2)
_PAGE = ("line", 0.2, 0.06, 0.8, 0.06, 0.8, 0.72, 0.62, 0.94, 0.2, 0.94, 0.2, 0.06)
_FACE = ("circle", 0.5, 0.5, 0.38)


def _person(cx: float, top: float, scale: float) -> list[tuple[Any, ...]]:
    """A standing figure whose head's top is at ``top``, ``scale`` of the full height."""
    h = 0.84 * scale
    head = 0.11 * scale
    hy = top - head
    neck, hip, foot = hy - head, top - 0.62 * h, top - h
    return [("disc", cx, hy, head), ("line", cx, neck, cx, hip),
            ("line", cx, hip, cx - 0.12 * scale, foot), ("line", cx, hip, cx + 0.12 * scale, foot),
            ("line", cx - 0.16 * scale, neck - 0.1 * scale, cx, neck - 0.04 * scale,
             cx + 0.16 * scale, neck - 0.1 * scale)]


CHOICE_PICTOGRAMS: dict[str, list[tuple[Any, ...]]] = {
    # --- documents to scan
    "id_card": [_CARD, ("disc", 0.28, 0.58, 0.09), ("line", 0.16, 0.3, 0.28, 0.42, 0.4, 0.3),
                ("line", 0.52, 0.62, 0.84, 0.62), ("line", 0.52, 0.48, 0.84, 0.48),
                ("line", 0.52, 0.34, 0.74, 0.34)],
    "permit": [_CARD, ("disc", 0.28, 0.58, 0.09), ("line", 0.16, 0.3, 0.28, 0.42, 0.4, 0.3),
               ("circle", 0.7, 0.5, 0.15), ("line", 0.62, 0.5, 0.78, 0.5)],
    "passport": [("line", 0.22, 0.06, 0.78, 0.06, 0.78, 0.94, 0.22, 0.94, 0.22, 0.06),
                 ("circle", 0.5, 0.6, 0.16), ("line", 0.34, 0.6, 0.66, 0.6),
                 ("line", 0.36, 0.22, 0.64, 0.22)],
    "proof": [_PAGE, ("line", 0.32, 0.48, 0.5, 0.66, 0.68, 0.48),
              ("line", 0.37, 0.52, 0.37, 0.28, 0.63, 0.28, 0.63, 0.52)],
    "document": [_PAGE, ("line", 0.32, 0.66, 0.56, 0.66), ("line", 0.32, 0.5, 0.68, 0.5),
                 ("line", 0.32, 0.34, 0.68, 0.34), ("line", 0.32, 0.18, 0.6, 0.18)],
    # --- what a copy is for
    "family": [*_person(0.36, 0.92, 1.0), *_person(0.72, 0.6, 0.6)],
    "bank": [("line", 0.08, 0.66, 0.5, 0.9, 0.92, 0.66, 0.08, 0.66),
             ("line", 0.22, 0.58, 0.22, 0.24), ("line", 0.4, 0.58, 0.4, 0.24),
             ("line", 0.6, 0.58, 0.6, 0.24), ("line", 0.78, 0.58, 0.78, 0.24),
             ("line", 0.08, 0.14, 0.92, 0.14)],
    "house": [("line", 0.08, 0.5, 0.5, 0.88, 0.92, 0.5),
              ("line", 0.2, 0.6, 0.2, 0.1, 0.8, 0.1, 0.8, 0.6),
              ("line", 0.42, 0.1, 0.42, 0.36, 0.58, 0.36, 0.58, 0.1)],
    "briefcase": [("line", 0.08, 0.16, 0.92, 0.16, 0.92, 0.7, 0.08, 0.7, 0.08, 0.16),
                  ("line", 0.36, 0.7, 0.36, 0.84, 0.64, 0.84, 0.64, 0.7),
                  ("line", 0.08, 0.46, 0.92, 0.46)],
    "search": [("circle", 0.42, 0.58, 0.26), ("line", 0.62, 0.38, 0.88, 0.12)],
    "health": [("rect", 0.38, 0.12, 0.24, 0.76), ("rect", 0.12, 0.38, 0.76, 0.24)],
    "prefecture": [("line", 0.12, 0.1, 0.88, 0.1, 0.88, 0.58, 0.12, 0.58, 0.12, 0.1),
                   ("line", 0.42, 0.1, 0.42, 0.34, 0.58, 0.34, 0.58, 0.1),
                   ("line", 0.5, 0.58, 0.5, 0.94), ("line", 0.5, 0.94, 0.78, 0.86, 0.5, 0.78)],
    "town_hall": [("line", 0.1, 0.56, 0.5, 0.84, 0.9, 0.56, 0.1, 0.56),
                  ("line", 0.16, 0.56, 0.16, 0.1, 0.84, 0.1, 0.84, 0.56),
                  ("circle", 0.5, 0.38, 0.1), ("line", 0.5, 0.38, 0.5, 0.44)],
    "tax": [("arc", 0.56, 0.5, 0.32, 135, 405), ("line", 0.14, 0.58, 0.56, 0.58),
            ("line", 0.14, 0.42, 0.56, 0.42)],
    "school": [("line", 0.5, 0.18, 0.5, 0.8), ("line", 0.5, 0.8, 0.08, 0.86, 0.08, 0.24, 0.5, 0.18),
               ("line", 0.5, 0.8, 0.92, 0.86, 0.92, 0.24, 0.5, 0.18)],
    "write": [("line", 0.14, 0.14, 0.32, 0.14, 0.86, 0.68, 0.68, 0.86, 0.14, 0.32, 0.14, 0.14),
              ("line", 0.58, 0.76, 0.76, 0.58)],
    # --- the survey's answers
    "child": _person(0.5, 0.76, 0.74),
    "person": _person(0.5, 0.94, 1.0),
    "senior": [*_person(0.42, 0.94, 1.0), ("line", 0.72, 0.06, 0.72, 0.52, 0.62, 0.6)],
    "guided": [*_person(0.3, 0.94, 1.0), *_person(0.72, 0.94, 1.0)],
    "face_sad": [_FACE, ("disc", 0.37, 0.6, 0.05), ("disc", 0.63, 0.6, 0.05),
                 ("arc", 0.5, 0.2, 0.2, -45, 45)],
    "face_neutral": [_FACE, ("disc", 0.37, 0.6, 0.05), ("disc", 0.63, 0.6, 0.05),
                     ("line", 0.36, 0.34, 0.64, 0.34)],
    "face_happy": [_FACE, ("disc", 0.37, 0.6, 0.05), ("disc", 0.63, 0.6, 0.05),
                   ("arc", 0.5, 0.44, 0.18, 120, 240)],
}

for _name, _shapes in CHOICE_PICTOGRAMS.items():
    ICONS.setdefault(_name, _shapes)

# The document types' pictograms (kiosk.documents.scan_flow.DocType values).
DOC_TYPE_PICTOGRAMS = {"id_card": "id_card", "residence_permit": "permit", "passport": "passport",
                       "proof": "proof", "other": "document"}
# What a copy is for (kiosk.documents.watermark.PURPOSES, French), and « Autre : l'écrire ».
PURPOSE_PICTOGRAMS = {"CAF": "family", "Banque": "bank", "Location d'un logement": "house",
                      "Employeur": "briefcase", "France Travail": "search",
                      "Assurance maladie": "health", "Préfecture": "prefecture",
                      "Mairie": "town_hall", "Impôts": "tax", "École": "school"}
OTHER_PURPOSE_PICTOGRAM = "write"
# The survey's answers, by their stored value (kiosk_wire.schema enums' values).
ANSWER_PICTOGRAMS = {"under_12": "child", "12_17": "child", "18_24": "person",
                     "25_39": "person", "40_59": "person", "60_69": "senior", "70_plus": "senior",
                     "guided": "guided", "partly_autonomous": "help", "autonomous": "person",
                     "unsatisfied": "face_sad", "neutral": "face_neutral",
                     "satisfied": "face_happy"}
