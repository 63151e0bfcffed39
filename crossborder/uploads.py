"""Images from outside (merchants' uploads, partners' pictures) made safe to store and serve from our
origin: decoded with Pillow within a pixel budget, re-encoded (no trailing bytes, no metadata) in
one of four formats, and named by us, with the extension of the decoded format. Nothing a sender
chose (file name, extension, appended HTML) survives into the stored file; docs/adr/0013."""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DomainError, ImageErrorCode

# Decoded format -> (extension, content type). Only these are stored, and only these are served inline.
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}
ALLOWED_DECODERS = list(IMAGE_FORMATS)
IMAGE_EXTENSIONS = {extension for extension, _type in IMAGE_FORMATS.values()}
IMAGE_CONTENT_TYPES = {content_type for _extension, content_type in IMAGE_FORMATS.values()}
# What rendering needs of an image's info; anything else (comments, EXIF, XMP, text chunks) is dropped.
KEPT_INFO = {"transparency", "duration", "loop", "background", "disposal", "blend", "icc_profile"}
# Everything Pillow says when it cannot decode a file; a damaged file is "not an image", never a 500.
DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError)


class ImageRefused(DomainError):
    """The file is not an image we store; `field` names the form field it came from."""


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile  # re-encoded bytes, named <random>.<extension of the decoded format>
    format: str
    width: int
    height: int

    @property
    def extension(self):
        return IMAGE_FORMATS[self.format][0]


def _read(source, limit):
    """At most `limit` bytes of `source` (a declared size can be wrong; more means too large)."""
    if isinstance(source, bytes):
        return source[:limit]
    source.seek(0)
    try:
        return source.read(limit)
    finally:
        source.seek(0)


def _not_an_image(field):
    return ImageRefused(ImageErrorCode.NOT_AN_IMAGE, _("The file is not an image."), field=field)


def _too_many_pixels(field, limit, width=None, height=None):
    if width is None:
        detail = _("The image is too large to decode; at most %(limit)d megapixels are accepted.")
    else:
        detail = _("The image is %(width)d x %(height)d pixels; at most %(limit)d megapixels are accepted.")
    return ImageRefused(
        ImageErrorCode.TOO_MANY_PIXELS,
        detail % {"width": width or 0, "height": height or 0, "limit": max(1, limit // 1_000_000)},
        field=field,
    )


def _check_budget(image, field, max_pixels, max_side):
    """Before decoding a pixel: the header's size (every frame counted) within the limits."""
    width, height = image.size
    frames = getattr(image, "n_frames", 1)
    if width > max_side or height > max_side or width * height * frames > max_pixels:
        raise _too_many_pixels(field, max_pixels, width, height)


def _reencode(image, kind):
    animated = getattr(image, "is_animated", False)
    if kind == "JPEG":
        frame = ImageOps.exif_transpose(image)  # the EXIF orientation applied, as EXIF itself goes
        if frame.mode not in ("RGB", "L", "CMYK"):
            frame = frame.convert("RGB")
        options = {"quality": 90}
    else:
        frame = image
        options = {"save_all": True} if animated else {}
        if kind == "WEBP" and frame.mode not in ("RGB", "RGBA"):
            frame = frame.convert("RGBA")
    frame.info = {key: value for key, value in frame.info.items() if key in KEPT_INFO}
    out = io.BytesIO()
    frame.save(out, kind, exif=b"", comment=b"", xmp=b"", **options)
    return out.getvalue()


def clean_image(source, *, field="image", max_bytes=None, max_pixels=None):
    """`source` (an uploaded file or bytes) decoded, verified and re-encoded. Raises ImageRefused
    naming `field`: not a JPEG, PNG, WebP or GIF image, more bytes than
    CROSSBORDER_MAX_IMAGE_BYTES, more pixels than CROSSBORDER_MAX_IMAGE_PIXELS (a decompression bomb)."""
    max_bytes = settings.CATALOG_MAX_IMAGE_BYTES if max_bytes is None else max_bytes
    max_pixels = settings.IMAGE_MAX_PIXELS if max_pixels is None else max_pixels
    size = len(source) if isinstance(source, bytes) else source.size  # known before a byte is read
    data = _read(source, max_bytes + 1) if size <= max_bytes else b""
    if size > max_bytes or len(data) > max_bytes:
        raise ImageRefused(
            ImageErrorCode.UPLOAD_TOO_LARGE,
            _("The image is %(size)d KB; the limit is %(limit)d KB.")
            % {"size": max(size, len(data)) // 1024, "limit": max_bytes // 1024},
            field=field,
        )
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice it; here any bomb is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Only the four decoders are asked: no other Pillow plugin (EPS, PSD, ...) sees the bytes.
            with Image.open(io.BytesIO(data), formats=ALLOWED_DECODERS) as probe:
                kind = probe.format
                _check_budget(probe, field, max_pixels, settings.IMAGE_MAX_SIDE)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                width, height = image.size
                encoded = _reencode(image, kind)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(field, max_pixels) from None
        except ImageRefused:
            raise
        except DECODE_ERRORS:
            raise _not_an_image(field) from None
    name = f"{uuid.uuid4().hex}.{IMAGE_FORMATS[kind][0]}"
    return CleanImage(content=ContentFile(encoded, name=name), format=kind, width=width, height=height)


@deconstructible
class ImagePath:
    """upload_to of every image field: `<folder>/<year>/<month>/<random>.<extension>`. Only an image
    extension is kept (clean_image chose it from the decoded format); anything else cannot be stored,
    so a file that skipped clean_image never lands as .html or .svg under /media/."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extension not in IMAGE_EXTENSIONS:
            raise ValueError(f"refusing to store {filename!r}: images go through crossborder.uploads.clean_image")
        return f"{self.folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other):
        return isinstance(other, ImagePath) and other.folder == self.folder
