"""PostgreSQL only: each listing's search vector is computed as the row is written, by a trigger,
instead of by an UPDATE after the sync's INSERT (a second version of every row, with all its index
entries). The same expression as catalog.search.weighted_vector(): the titles' line weight A, the
rest weight B. SQLite searches by substring and has no vector."""

from django.db import migrations

CREATE = r"""
CREATE FUNCTION partner_zone_listing_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.search_document IS DISTINCT FROM OLD.search_document THEN
        NEW.search_vector :=
            setweight(to_tsvector('english'::regconfig, COALESCE(split_part(NEW.search_document, E'\n', 1), '')), 'A')
            || setweight(to_tsvector('english'::regconfig, COALESCE(split_part(NEW.search_document, E'\n', 2), '')), 'B');
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER partner_zone_listing_search_vector
    BEFORE INSERT OR UPDATE OF search_document ON partner_zone_partnerlisting
    FOR EACH ROW EXECUTE FUNCTION partner_zone_listing_search_vector();
"""

DROP = """
DROP TRIGGER IF EXISTS partner_zone_listing_search_vector ON partner_zone_partnerlisting;
DROP FUNCTION IF EXISTS partner_zone_listing_search_vector();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("partner_zone", "0005_zone_page_generation_indexes")]

    operations = [migrations.RunPython(create, drop)]
