"""DRF's default parser (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]): JSON read by strict_json, a
refusal answered as the API error {code, detail, field} with 400."""

from rest_framework.parsers import BaseParser

from . import strict_json


class StrictJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        # Imported here: api_errors imports DRF's views, which read this parser from the settings.
        from .api_errors import APIError

        try:
            return strict_json.loads(stream.read() if stream is not None else b"")
        except strict_json.JSONRefused as exc:
            raise APIError(exc.code, exc.detail, field=exc.field) from None
