"""The shared category taxonomy: the shipped subset of the public Google product taxonomy, with
Chinese and Japanese names alongside (catalog/data/taxonomy.tsv, described in catalog/data/README.md)."""

import csv
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "taxonomy.tsv"
SEPARATOR = " > "


@dataclass(frozen=True)
class TaxonomyRow:
    id: int
    parent_id: int | None
    path_en: str
    name_zh_hans: str
    name_ja: str

    @property
    def name_en(self):
        return self.path_en.rsplit(SEPARATOR, 1)[-1]

    @property
    def depth(self):
        return self.path_en.count(SEPARATOR)


def read_rows(path=DATA_FILE):
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        return [
            TaxonomyRow(
                id=int(row["id"]),
                parent_id=int(row["parent_id"]) if row["parent_id"] else None,
                path_en=row["path_en"],
                name_zh_hans=row["name_zh_hans"],
                name_ja=row["name_ja"],
            )
            for row in reader
        ]


def name_in(language, name_en, name_zh_hans, name_ja):
    """A category's name in `language`: Chinese or Japanese where the node has one, else English."""
    language = (language or "").lower()
    if language.startswith("zh"):
        return name_zh_hans or name_en
    if language.startswith("ja"):
        return name_ja or name_en
    return name_en


def load_rows(category_model, rows):
    """Insert or update every row, parents before children; running it twice changes nothing. Only
    the fields `category_model` has are written, so a migration's historical model made before a
    name column existed loads what it can hold (the migration adding the column fills it)."""
    fields = {field.name for field in category_model._meta.get_fields()}
    existing = category_model.objects.in_bulk([row.id for row in rows])
    for row in sorted(rows, key=lambda r: r.depth):
        values = {
            "parent_id": row.parent_id,
            "path_en": row.path_en,
            "name_en": row.name_en,
            "name_zh_hans": row.name_zh_hans,
            "name_ja": row.name_ja,
            "depth": row.depth,
        }
        values = {name: value for name, value in values.items() if name.removesuffix("_id") in fields}
        current = existing.get(row.id)
        if current is None:
            category_model.objects.create(id=row.id, **values)
        elif any(getattr(current, field) != value for field, value in values.items()):
            category_model.objects.filter(pk=row.id).update(**values)
