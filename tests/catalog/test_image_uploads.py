"""Uploaded images cannot put a page on our origin: every image is decoded, re-encoded and stored
under a name of ours with its decoded format's extension, served with nosniff and a safe type, and a
decompression bomb is a form error naming the field, not a 500 (issue 13, items 2 and 7)."""

import io
import time

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from PIL import Image

from catalog.models import ProductImage
from crossborder.uploads import ImagePath, ImageRefused, clean_image
from tests.partners import table_counts

from .factories import make_merchant, make_product, make_user

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def merchant_client(client):
    user = make_user()
    merchant = make_merchant(name="Panda Baby", users=[user])
    client.force_login(user)
    return client, merchant


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image_bytes(kind="GIF", size=(8, 8), mode="RGB", **options):
    buffer = io.BytesIO()
    Image.new(mode, size, 0 if mode == "1" else (200, 120, 80)).save(buffer, format=kind, **options)
    return buffer.getvalue()


def upload(client, product, data, name, content_type="image/gif"):
    return client.post(
        f"/en/merchant/products/{product.reference}/images/",
        {"image": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def test_a_gif_with_html_appended_named_html_is_stored_as_a_clean_gif_and_served_as_an_image(merchant_client, media):
    client, merchant = merchant_client
    product = make_product(merchant)
    polyglot = image_bytes("GIF", comment=b"<script>alert(1)</script>") + HTML

    response = upload(client, product, polyglot, "evil.html", content_type="text/html")

    assert response.status_code == 302
    stored = ProductImage.objects.get(product=product)
    assert stored.image.name.startswith("products/") and stored.image.name.endswith(".gif")
    assert "evil" not in stored.image.name
    data = (media / stored.image.name).read_bytes()
    assert b"<script" not in data and b"<html" not in data and data.endswith(b";")  # the GIF trailer
    assert not list(media.rglob("*.html"))

    served = client.get(f"/media/{stored.image.name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/gif"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == data


def test_media_that_is_not_an_image_is_served_as_a_download(client, media):
    (media / "left-over.html").write_bytes(HTML)
    (media / "drawing.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>")

    for name in ("left-over.html", "drawing.svg"):
        served = client.get(f"/media/{name}")
        assert served.status_code == 200
        assert served["Content-Type"] == "application/octet-stream"
        assert served["Content-Disposition"] == "attachment"
        assert served["X-Content-Type-Options"] == "nosniff"
        assert served["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP", "GIF"])
def test_each_accepted_format_is_re_encoded_without_trailing_bytes_or_metadata(kind, media):
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    original = image_bytes(kind, size=(12, 7), exif=exif.tobytes()) + b"TRAILER" + HTML

    clean = clean_image(SimpleUploadedFile("whatever.php", original))

    data = clean.content.read()
    assert (clean.format, clean.width, clean.height) == (kind, 12, 7)
    assert clean.content.name.endswith("." + clean.extension) and "whatever" not in clean.content.name
    assert b"TRAILER" not in data and b"<script" not in data and b"secret description" not in data
    with Image.open(io.BytesIO(data)) as reread:
        assert reread.format == kind and reread.size == (12, 7) and not reread.getexif()


def test_an_image_field_stores_only_image_extensions_under_a_generated_name():
    path = ImagePath("products")
    assert path(None, "x.PNG").endswith(".png") and path(None, "x.png") != path(None, "x.png")
    for name in ("evil.html", "evil.svg", "evil.gif.html", "noextension"):
        with pytest.raises(ValueError):
            path(None, name)


def test_every_file_field_of_every_model_names_its_files_through_image_path():
    """The class of the defect: a new FileField or ImageField must store through ImagePath (and its
    service through clean_image), or this fails."""
    fields = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField) and not isinstance(field.upload_to, ImagePath)
    ]
    assert fields == []


# 20,000 x 20,000 one-bit pixels: a 50 KB file that would decode to 400 megapixels (Pillow's own
# DecompressionBombError); 6,000 x 6,000 passes Pillow but not CROSSBORDER_MAX_IMAGE_PIXELS.
BOMBS = [("pillow-error", (20_000, 20_000)), ("our-limit", (6_000, 6_000))]


@pytest.mark.parametrize(("case", "size"), BOMBS)
def test_a_decompression_bomb_is_a_form_error_naming_the_field_and_stores_nothing(merchant_client, media, case, size):
    client, merchant = merchant_client
    product = make_product(merchant)
    bomb = image_bytes("PNG", size=size, mode="1", optimize=True)
    before = table_counts()

    started = time.perf_counter()
    response = upload(client, product, bomb, "bomb.png", content_type="image/png")
    print(f"{case}: {len(bomb)} bytes refused in {time.perf_counter() - started:.3f} s")

    assert response.status_code == 200
    errors = response.context["image_form"].errors
    assert list(errors) == ["image"] and "megapixels" in errors["image"][0]
    assert table_counts() == before
    assert not list(media.rglob("*.png"))


def test_pillows_bomb_warning_is_a_refusal_even_with_our_limits_raised(settings):
    settings.IMAGE_MAX_PIXELS = 10**12
    settings.IMAGE_MAX_SIDE = 10**6
    # 100 megapixels: above Pillow's MAX_IMAGE_PIXELS (a warning), below twice it (its error).
    bomb = image_bytes("PNG", size=(10_000, 10_000), mode="1", optimize=True)

    with pytest.raises(ImageRefused) as refused:
        clean_image(bomb)

    assert (refused.value.code, refused.value.field) == ("image_too_many_pixels", "image")


def test_an_animation_counts_every_frame_against_the_pixel_budget(settings):
    settings.IMAGE_MAX_PIXELS = 64 * 64 * 5
    frames = [Image.new("RGB", (64, 64), (index * 20, 0, 255 - index * 20)) for index in range(10)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])

    with pytest.raises(ImageRefused) as refused:
        clean_image(buffer.getvalue())
    assert refused.value.code == "image_too_many_pixels"

    settings.IMAGE_MAX_PIXELS = 64 * 64 * 10
    clean = clean_image(buffer.getvalue())
    with Image.open(clean.content) as reread:
        assert reread.n_frames == 10


@pytest.mark.parametrize("kind", ["BMP", "TIFF", "EPS"])
def test_formats_other_than_the_four_are_not_decoded_and_are_refused(kind):
    data = image_bytes(kind, size=(4, 4)) if kind != "EPS" else b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 4 4\n"

    with pytest.raises(ImageRefused) as refused:
        clean_image(data)

    assert (refused.value.code, refused.value.field) == ("not_an_image", "image")
