"""The demo's product pictures: a simple drawing of what is sold (a bottle for a shampoo, a tent for
a tent, a pan for a skillet), drawn with Pillow at run time from the shapes below, so nothing is
fetched and nothing large is kept in the repository. Each product kind in catalog/demo_data/ names
its drawing (`picture`); the palette gives the colours. No text, so they suit every language."""

import io
import math

from PIL import Image, ImageDraw

SIZE = 480
SCALE = 2  # drawn at twice the size and scaled down, for smooth edges


class Pen:
    """Draws in unit coordinates (0..1 across the picture) in the palette's colours."""

    def __init__(self, draw, size, main, accent, dark):
        self.draw, self.size = draw, size
        self.main, self.accent, self.dark = main, accent, dark

    def _box(self, x0, y0, x1, y1):
        s = self.size
        return (x0 * s, y0 * s, x1 * s, y1 * s)

    def rect(self, x0, y0, x1, y1, fill=None, r=0.0):
        self.draw.rounded_rectangle(self._box(x0, y0, x1, y1), radius=r * self.size, fill=fill or self.main)

    def oval(self, x0, y0, x1, y1, fill=None):
        self.draw.ellipse(self._box(x0, y0, x1, y1), fill=fill or self.main)

    def poly(self, points, fill=None):
        self.draw.polygon([(x * self.size, y * self.size) for x, y in points], fill=fill or self.main)

    def line(self, points, width=0.02, fill=None):
        self.draw.line(
            [(x * self.size, y * self.size) for x, y in points],
            fill=fill or self.dark,
            width=max(1, int(width * self.size)),
            joint="curve",
        )

    def arc(self, x0, y0, x1, y1, start, end, width=0.02, fill=None):
        self.draw.arc(
            self._box(x0, y0, x1, y1), start, end, fill=fill or self.dark, width=max(1, int(width * self.size))
        )


# --- the drawings: one function per kind of thing ------------------------------------------------


def bottle(p):
    p.rect(0.38, 0.34, 0.62, 0.82, r=0.05)
    p.rect(0.44, 0.24, 0.56, 0.35, fill=p.accent, r=0.02)
    p.rect(0.40, 0.50, 0.60, 0.66, fill=p.accent, r=0.01)


def pump_bottle(p):
    p.rect(0.36, 0.36, 0.64, 0.82, r=0.06)
    p.rect(0.46, 0.28, 0.54, 0.37, fill=p.dark)
    p.rect(0.42, 0.24, 0.64, 0.29, fill=p.dark, r=0.015)
    p.rect(0.39, 0.52, 0.61, 0.68, fill=p.accent, r=0.01)


def baby_bottle(p):
    p.rect(0.39, 0.38, 0.61, 0.82, r=0.05)
    p.rect(0.37, 0.33, 0.63, 0.40, fill=p.accent, r=0.02)
    p.poly([(0.43, 0.34), (0.47, 0.22), (0.53, 0.22), (0.57, 0.34)], fill=p.accent)
    for y in (0.50, 0.60, 0.70):
        p.line([(0.41, y), (0.47, y)], width=0.008)


def polish(p):
    p.rect(0.38, 0.52, 0.62, 0.80, r=0.05)
    p.rect(0.45, 0.30, 0.55, 0.53, fill=p.dark, r=0.015)


def jar(p):
    p.rect(0.30, 0.50, 0.70, 0.80, r=0.06)
    p.rect(0.28, 0.42, 0.72, 0.52, fill=p.accent, r=0.03)


def can(p):
    p.rect(0.33, 0.34, 0.67, 0.82, r=0.03)
    p.oval(0.33, 0.30, 0.67, 0.38, fill=p.accent)
    p.rect(0.33, 0.52, 0.67, 0.64, fill=p.accent)


def tube(p):
    p.poly([(0.36, 0.26), (0.64, 0.26), (0.58, 0.74), (0.42, 0.74)])
    p.rect(0.43, 0.73, 0.57, 0.84, fill=p.accent, r=0.015)
    p.rect(0.35, 0.24, 0.65, 0.28, fill=p.dark)


def lipstick(p):
    p.rect(0.40, 0.55, 0.60, 0.84, fill=p.dark, r=0.02)
    p.rect(0.42, 0.40, 0.58, 0.56, fill=p.accent)
    p.poly([(0.43, 0.41), (0.43, 0.28), (0.57, 0.36), (0.57, 0.41)])


def palette(p):
    p.rect(0.22, 0.38, 0.78, 0.76, fill=p.dark, r=0.04)
    for row in range(2):
        for column in range(3):
            x, y = 0.27 + column * 0.17, 0.43 + row * 0.16
            p.oval(x, y, x + 0.13, y + 0.13, fill=p.accent if (row + column) % 2 else p.main)


def brush(p):
    for angle in (-14, 0, 14):
        dx = math.sin(math.radians(angle)) * 0.3
        p.line([(0.50, 0.82), (0.50 + dx, 0.40)], width=0.03, fill=p.dark)
        p.oval(0.46 + dx, 0.24, 0.54 + dx, 0.42, fill=p.main)


def pouch(p):
    p.poly([(0.28, 0.32), (0.72, 0.32), (0.76, 0.82), (0.24, 0.82)])
    p.rect(0.28, 0.28, 0.72, 0.36, fill=p.accent, r=0.01)
    p.oval(0.42, 0.52, 0.58, 0.68, fill=p.accent)


def pacifier(p):
    p.oval(0.28, 0.40, 0.72, 0.66)
    p.oval(0.42, 0.46, 0.58, 0.60, fill=p.accent)
    p.oval(0.40, 0.62, 0.60, 0.82, fill=p.accent)
    p.arc(0.40, 0.20, 0.60, 0.46, 180, 360, width=0.03)


def rattle(p):
    p.oval(0.33, 0.22, 0.67, 0.56)
    p.oval(0.42, 0.31, 0.58, 0.47, fill=p.accent)
    p.rect(0.46, 0.54, 0.54, 0.84, fill=p.accent, r=0.02)


def cup(p):
    p.poly([(0.34, 0.38), (0.66, 0.38), (0.62, 0.82), (0.38, 0.82)])
    p.rect(0.33, 0.32, 0.67, 0.40, fill=p.accent, r=0.02)
    p.poly([(0.45, 0.33), (0.48, 0.22), (0.52, 0.22), (0.55, 0.33)], fill=p.accent)
    p.arc(0.58, 0.46, 0.78, 0.70, 270, 90, width=0.03, fill=p.accent)


def textile(p):
    for index, fill in enumerate((p.main, p.accent, p.main)):
        y = 0.66 - index * 0.12
        p.rect(0.24, y, 0.76, y + 0.14, fill=fill, r=0.04)


def mat(p):
    p.poly([(0.18, 0.70), (0.40, 0.46), (0.82, 0.46), (0.60, 0.70)])
    p.poly([(0.29, 0.58), (0.40, 0.46), (0.50, 0.46), (0.39, 0.58)], fill=p.accent)
    p.poly([(0.50, 0.70), (0.61, 0.58), (0.71, 0.58), (0.60, 0.70)], fill=p.accent)


def stroller(p):
    p.poly([(0.26, 0.42), (0.66, 0.42), (0.62, 0.64), (0.30, 0.64)])
    p.poly([(0.26, 0.42), (0.36, 0.24), (0.52, 0.42)], fill=p.accent)
    p.line([(0.66, 0.42), (0.78, 0.26)], width=0.025)
    p.oval(0.28, 0.70, 0.40, 0.82, fill=p.dark)
    p.oval(0.56, 0.70, 0.68, 0.82, fill=p.dark)


def seat(p):
    p.rect(0.32, 0.26, 0.62, 0.66, r=0.08)
    p.rect(0.32, 0.58, 0.74, 0.74, r=0.05)
    p.rect(0.38, 0.34, 0.56, 0.58, fill=p.accent, r=0.05)
    p.line([(0.36, 0.74), (0.30, 0.84)], width=0.025)
    p.line([(0.70, 0.74), (0.76, 0.84)], width=0.025)


def monitor(p):
    p.rect(0.24, 0.30, 0.76, 0.66, fill=p.dark, r=0.04)
    p.rect(0.28, 0.34, 0.72, 0.62, fill=p.accent, r=0.02)
    p.oval(0.44, 0.40, 0.56, 0.52, fill=p.main)
    p.rect(0.44, 0.66, 0.56, 0.74, fill=p.dark)
    p.rect(0.34, 0.74, 0.66, 0.80, fill=p.dark, r=0.02)


def gate(p):
    p.rect(0.20, 0.30, 0.80, 0.36, r=0.02)
    p.rect(0.20, 0.76, 0.80, 0.82, r=0.02)
    for index in range(7):
        x = 0.23 + index * 0.088
        p.rect(x, 0.34, x + 0.03, 0.78, fill=p.accent)


def box(p):
    p.poly([(0.24, 0.42), (0.50, 0.32), (0.76, 0.42), (0.50, 0.52)], fill=p.accent)
    p.poly([(0.24, 0.42), (0.50, 0.52), (0.50, 0.84), (0.24, 0.74)])
    p.poly([(0.50, 0.52), (0.76, 0.42), (0.76, 0.74), (0.50, 0.84)], fill=p.dark)


def stack(p):
    p.rect(0.47, 0.22, 0.53, 0.80, fill=p.dark, r=0.02)
    for index, (half, fill) in enumerate(((0.22, p.main), (0.18, p.accent), (0.14, p.main), (0.10, p.accent))):
        y = 0.70 - index * 0.11
        p.oval(0.5 - half, y, 0.5 + half, y + 0.11, fill=fill)
    p.rect(0.30, 0.79, 0.70, 0.84, fill=p.dark, r=0.02)


def tub(p):
    p.poly([(0.18, 0.48), (0.82, 0.48), (0.72, 0.78), (0.28, 0.78)])
    p.rect(0.16, 0.44, 0.84, 0.50, fill=p.accent, r=0.02)
    p.oval(0.52, 0.30, 0.66, 0.42, fill=p.accent)


def jacket(p):
    p.poly(
        [
            (0.36, 0.24),
            (0.64, 0.24),
            (0.82, 0.36),
            (0.76, 0.58),
            (0.68, 0.52),
            (0.68, 0.84),
            (0.32, 0.84),
            (0.32, 0.52),
            (0.24, 0.58),
            (0.18, 0.36),
        ]
    )
    p.poly([(0.42, 0.24), (0.50, 0.34), (0.58, 0.24)], fill=p.accent)
    p.line([(0.50, 0.34), (0.50, 0.84)], width=0.012)


def shoe(p):
    p.poly([(0.20, 0.70), (0.22, 0.42), (0.44, 0.40), (0.52, 0.56), (0.78, 0.62), (0.82, 0.72), (0.20, 0.72)])
    p.rect(0.18, 0.70, 0.84, 0.78, fill=p.dark, r=0.03)
    p.rect(0.22, 0.38, 0.44, 0.44, fill=p.accent, r=0.02)
    for x in (0.46, 0.52, 0.58):
        p.line([(x, 0.52), (x + 0.04, 0.58)], width=0.01)


def tent(p):
    p.poly([(0.14, 0.80), (0.50, 0.28), (0.86, 0.80)])
    p.poly([(0.50, 0.28), (0.86, 0.80), (0.70, 0.80)], fill=p.dark)
    p.poly([(0.40, 0.80), (0.50, 0.56), (0.60, 0.80)], fill=p.accent)
    p.line([(0.50, 0.28), (0.50, 0.20)], width=0.015)


def roll(p):
    p.rect(0.22, 0.44, 0.70, 0.76, r=0.02)
    p.oval(0.58, 0.44, 0.82, 0.76, fill=p.accent)
    p.oval(0.65, 0.53, 0.75, 0.67, fill=p.main)
    p.rect(0.34, 0.42, 0.38, 0.78, fill=p.dark)
    p.rect(0.52, 0.42, 0.56, 0.78, fill=p.dark)


def lantern(p):
    p.arc(0.40, 0.16, 0.60, 0.34, 180, 360, width=0.02)
    p.rect(0.36, 0.24, 0.64, 0.32, fill=p.dark, r=0.02)
    p.rect(0.38, 0.32, 0.62, 0.70, fill=p.accent, r=0.04)
    p.rect(0.46, 0.40, 0.54, 0.62, fill=(255, 236, 160), r=0.02)
    p.rect(0.34, 0.70, 0.66, 0.80, fill=p.main, r=0.02)


def pot(p):
    p.rect(0.26, 0.44, 0.74, 0.80, r=0.05)
    p.rect(0.24, 0.38, 0.76, 0.46, fill=p.dark, r=0.02)
    p.rect(0.44, 0.32, 0.56, 0.38, fill=p.dark, r=0.02)
    p.rect(0.16, 0.50, 0.27, 0.56, fill=p.dark, r=0.02)
    p.rect(0.73, 0.50, 0.84, 0.56, fill=p.dark, r=0.02)


def pan(p):
    p.oval(0.14, 0.42, 0.64, 0.80, fill=p.dark)
    p.oval(0.18, 0.46, 0.60, 0.76)
    p.poly([(0.62, 0.56), (0.88, 0.46), (0.90, 0.52), (0.63, 0.64)], fill=p.dark)


def tray(p):
    p.poly([(0.14, 0.66), (0.32, 0.46), (0.86, 0.46), (0.68, 0.66)], fill=p.dark)
    p.poly([(0.20, 0.63), (0.34, 0.49), (0.80, 0.49), (0.66, 0.63)])
    p.rect(0.14, 0.66, 0.68, 0.70, fill=p.dark)


def board(p):
    p.rect(0.20, 0.36, 0.74, 0.78, r=0.05)
    p.oval(0.66, 0.50, 0.84, 0.64)
    p.oval(0.72, 0.54, 0.78, 0.60, fill=p.accent)
    for y in (0.48, 0.58, 0.68):
        p.line([(0.28, y), (0.62, y)], width=0.006, fill=p.accent)


def knife(p):
    p.poly([(0.18, 0.62), (0.58, 0.52), (0.60, 0.62), (0.22, 0.66)], fill=(200, 206, 212))
    p.rect(0.58, 0.52, 0.86, 0.62, fill=p.dark, r=0.03)
    p.oval(0.66, 0.55, 0.69, 0.58, fill=p.accent)
    p.oval(0.76, 0.55, 0.79, 0.58, fill=p.accent)


def poles(p):
    for x0, x1 in ((0.38, 0.46), (0.62, 0.54)):
        p.line([(x0, 0.24), (x1, 0.84)], width=0.022, fill=p.dark)
        p.rect(x0 - 0.035, 0.20, x0 + 0.035, 0.34, fill=p.accent, r=0.02)


def compass(p):
    p.oval(0.26, 0.30, 0.74, 0.78, fill=p.dark)
    p.oval(0.30, 0.34, 0.70, 0.74, fill=(248, 246, 238))
    p.poly([(0.50, 0.38), (0.54, 0.54), (0.46, 0.54)], fill=(200, 60, 50))
    p.poly([(0.50, 0.70), (0.54, 0.54), (0.46, 0.54)], fill=p.main)
    p.oval(0.45, 0.22, 0.55, 0.32, fill=p.dark)


def carabiner(p):
    p.arc(0.30, 0.22, 0.70, 0.84, 0, 360, width=0.06, fill=p.main)
    p.line([(0.66, 0.40), (0.66, 0.66)], width=0.03, fill=p.accent)


def rope(p):
    for index in range(4):
        inset = index * 0.06
        p.arc(
            0.22 + inset,
            0.32 + inset,
            0.78 - inset,
            0.82 - inset,
            0,
            360,
            width=0.035,
            fill=p.main if index % 2 else p.accent,
        )
    p.line([(0.74, 0.60), (0.86, 0.80)], width=0.035, fill=p.main)


def kettle(p):
    p.poly([(0.30, 0.80), (0.34, 0.38), (0.64, 0.38), (0.68, 0.80)])
    p.rect(0.28, 0.76, 0.70, 0.84, fill=p.dark, r=0.02)
    p.poly([(0.32, 0.46), (0.16, 0.36), (0.18, 0.32), (0.34, 0.40)], fill=p.main)
    p.arc(0.58, 0.40, 0.80, 0.72, 270, 90, width=0.035)
    p.rect(0.42, 0.32, 0.56, 0.38, fill=p.dark, r=0.02)


def appliance(p):
    p.rect(0.30, 0.30, 0.70, 0.80, r=0.05)
    p.rect(0.36, 0.38, 0.64, 0.60, fill=p.accent, r=0.03)
    p.oval(0.45, 0.66, 0.55, 0.76, fill=p.dark)
    p.rect(0.28, 0.78, 0.72, 0.84, fill=p.dark, r=0.02)


def cooler(p):
    p.rect(0.20, 0.42, 0.80, 0.80, r=0.04)
    p.rect(0.18, 0.34, 0.82, 0.44, fill=p.accent, r=0.03)
    p.rect(0.40, 0.28, 0.60, 0.34, fill=p.dark, r=0.02)
    p.rect(0.26, 0.56, 0.74, 0.60, fill=p.accent)


def stove(p):
    p.rect(0.24, 0.56, 0.76, 0.76, fill=p.dark, r=0.03)
    p.poly([(0.42, 0.56), (0.50, 0.34), (0.58, 0.56)], fill=(240, 140, 60))
    p.poly([(0.46, 0.56), (0.50, 0.44), (0.54, 0.56)], fill=(250, 210, 90))
    p.rect(0.30, 0.62, 0.70, 0.70, fill=p.main, r=0.02)


def utensil(p):
    p.rect(0.30, 0.40, 0.38, 0.86, fill=p.dark, r=0.02)
    p.rect(0.26, 0.20, 0.42, 0.42, r=0.04)
    p.rect(0.58, 0.46, 0.66, 0.86, fill=p.dark, r=0.02)
    p.oval(0.52, 0.18, 0.72, 0.50, fill=p.accent)


DRAWINGS = {
    function.__name__: function
    for function in (
        bottle, pump_bottle, baby_bottle, polish, jar, can, tube, lipstick, palette, brush, pouch, pacifier,
        rattle, cup, textile, mat, stroller, seat, monitor, gate, box, stack, tub, jacket, shoe, tent, roll,
        lantern, pot, pan, tray, board, knife, poles, compass, carabiner, rope, kettle, appliance, cooler,
        stove, utensil,
    )
}  # fmt: skip


def picture(kind, colours, *, size=SIZE):
    """PNG bytes of `kind` (a key of DRAWINGS) in `colours` (background, main, accent): the thing
    on a soft halo and a plinth's shadow."""
    background, main, accent = colours
    big = size * SCALE
    image = Image.new("RGB", (big, big), background)
    draw = ImageDraw.Draw(image)
    halo = tuple(min(255, channel + 18) for channel in background)
    draw.ellipse((big * 0.10, big * 0.10, big * 0.90, big * 0.90), fill=halo)
    shade = tuple(max(0, channel - 28) for channel in background)
    draw.ellipse((big * 0.20, big * 0.80, big * 0.80, big * 0.90), fill=shade)
    dark = tuple(max(0, int(channel * 0.45)) for channel in main)
    DRAWINGS[kind](Pen(draw, big, main, accent, dark))
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
