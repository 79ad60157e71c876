"""The site fantôme: procedures as data, their checker and the engine that runs them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.practice.catalogue import Catalogue


def load_catalogue(settings: Any = None) -> Catalogue:
    """The catalogue for a kiosk (shipped procedures plus the site's folder), as the runtime
    asks for it; imported lazily so ``import kiosk.practice`` stays light."""
    from kiosk.practice.catalogue import catalogue_paths
    from kiosk.practice.catalogue import load_catalogue as load_from

    return load_from(catalogue_paths(settings), at_start=True)
