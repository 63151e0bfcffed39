"""URL path converters for the segments that name things by token or code: they accept only that
alphabet, so a NUL, a control character or anything else is a 404 that never reaches a view."""

from django.urls import register_converter


class TokenConverter:
    """Unguessable tokens and provider ids: URL-safe base64 (secrets.token_urlsafe) with prefixes."""

    regex = "[A-Za-z0-9_-]{1,80}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class CodeConverter(TokenConverter):
    """Short codes chosen by people or programs: partner and provider codes, file formats."""

    regex = "[A-Za-z0-9_-]{1,40}"


class SignedTokenConverter(TokenConverter):
    """Signed links (django.core.signing: URL-safe base64 parts joined by colons, a leading dot when
    compressed), such as a service provider's page link."""

    regex = "[A-Za-z0-9_:.-]{1,300}"


def register():
    register_converter(TokenConverter, "token")
    register_converter(SignedTokenConverter, "signed")
    register_converter(CodeConverter, "code")
