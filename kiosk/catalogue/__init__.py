"""The item catalogue: typed model, field validators, signed bundles and the on-disk store."""

from __future__ import annotations

from kiosk.catalogue.errors import CatalogueError
from kiosk.catalogue.model import Catalogue, Field, Item

__all__ = ["Catalogue", "CatalogueError", "Field", "Item"]
