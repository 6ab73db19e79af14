"""Illustrative pictures for the demo data set, drawn offline with Pillow (no downloads): product pictures per
sub-category, enterprise logos, base photos. Each carries a "示意图" mark so nobody takes it for a real photo.

Only the demo seeder uses this module. The CJK font (fonts-wqy-microhei) is optional: without it the pictures are
drawn without text.
"""

from __future__ import annotations

import io
import math
import random
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# Drawn at WIDTH x HEIGHT, stored at OUTPUT (the scaling smooths the edges). Small on purpose: the demo seed
# stays fast, and the pictures are illustrations, not photographs.
WIDTH, HEIGHT = 600, 450
OUTPUT = (480, 360)
LOGO_SIDE = 256
MARK = "示意图"

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)

# Per product kind: background top and bottom, and the motif's colours.
PALETTES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int], list[tuple[int, int, int]]]] = {
    "shuifa": ((250, 236, 214), (232, 196, 150), [(214, 190, 150), (190, 160, 120), (245, 225, 190)]),
    "shuichan": ((214, 236, 248), (120, 180, 214), [(244, 150, 110), (250, 210, 170), (255, 255, 255)]),
    "rou": ((252, 228, 222), (214, 120, 110), [(190, 50, 55), (240, 220, 210), (160, 40, 45)]),
    "zhiwudanbai": ((252, 248, 228), (232, 214, 160), [(250, 240, 205), (226, 196, 120), (205, 170, 95)]),
    "shucai": ((232, 246, 222), (140, 196, 120), [(80, 150, 70), (170, 210, 110), (240, 230, 200)]),
    "tiaoweiliao": ((250, 214, 190), (196, 50, 40), [(200, 30, 30), (240, 120, 40), (110, 30, 20)]),
}
BASE_PALETTES = {
    "planting": ((200, 228, 250), (120, 170, 80)),
    "breeding": ((210, 232, 250), (150, 190, 100)),
    "aquaculture": ((205, 230, 250), (140, 185, 100)),
}
LOGO_COLOURS = [
    (192, 57, 43),
    (211, 84, 0),
    (39, 120, 90),
    (41, 98, 160),
    (120, 66, 160),
    (150, 90, 40),
    (22, 128, 140),
    (170, 40, 90),
]


@lru_cache(maxsize=1)
def font_path() -> str | None:
    """A CJK font file, or None (then the pictures have no text)."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            out = subprocess.run(
                [fc_match, "-f", "%{file}", ":lang=zh"], capture_output=True, text=True, timeout=5, check=False
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        if out and Path(out).is_file() and any(k in out.lower() for k in ("wqy", "noto", "cjk", "hei", "song")):
            return out
    return None


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | None:
    path = font_path()
    if path is None:
        return None
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return None


def _gradient(size: tuple[int, int], top, bottom) -> Image.Image:
    height = size[1]
    column = Image.new("RGB", (1, height))
    column.putdata(
        [tuple(round(a + (b - a) * y / (height - 1)) for a, b in zip(top, bottom, strict=True)) for y in range(height)]
    )
    return column.resize(size, Image.Resampling.NEAREST)


def _jitter(colour, rng: random.Random, amount: int = 18):
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


def _text(draw: ImageDraw.ImageDraw, xy, text: str, size: int, fill, *, anchor: str = "la", stroke=None) -> None:
    font = _font(size)
    if font is None:
        return
    draw.text(xy, text, font=font, fill=fill, anchor=anchor, stroke_width=2 if stroke else 0, stroke_fill=stroke)


# Cards crop pictures to 16:9 and the photo grid to a square: label and mark stay inside the part both keep.
SAFE = (WIDTH // 8, HEIGHT // 8, WIDTH - WIDTH // 8, HEIGHT - HEIGHT // 8)


def _mark(draw: ImageDraw.ImageDraw, width: int) -> None:
    """The "示意图" tag in the top-right corner of the safe area (an empty tag without a font)."""
    font = _font(24)
    w = int(draw.textlength(MARK, font=font)) if font else 56
    right, top = SAFE[2] - 6, SAFE[1] + 6
    box = (right - w - 20, top, right, top + 38)
    draw.rounded_rectangle(box, radius=9, fill=(255, 255, 255, 225), outline=(110, 110, 110, 255), width=2)
    _text(draw, (box[0] + 10, top + 19), MARK, 24, (70, 70, 70, 255), anchor="lm")


def _label(draw: ImageDraw.ImageDraw, name: str) -> None:
    """The sub-category's name on a dark pill at the bottom-left of the safe area."""
    font = _font(40)
    w = int(draw.textlength(name, font=font)) if font else 0
    if not w:
        return
    left, bottom = SAFE[0] + 6, SAFE[3] - 6
    draw.rounded_rectangle((left, bottom - 60, left + w + 36, bottom), radius=14, fill=(20, 20, 20, 165))
    _text(draw, (left + 18, bottom - 30), name, 40, (255, 255, 255, 255), anchor="lm")


# --- motifs per kind: simple shapes that suggest the food without pretending to be a photograph -----------------


def _motif_shuifa(image, draw, rng, colours) -> None:
    # Tripe and intestine: stacked wavy ribbons.
    for row in range(9):
        y0 = 60 + row * 34 + rng.randint(-6, 6)
        colour = _jitter(colours[row % len(colours)], rng)
        amp, phase, freq = rng.randint(6, 14), rng.random() * math.tau, rng.uniform(0.02, 0.04)
        pts = [(x, y0 + amp * math.sin(x * freq + phase)) for x in range(60, WIDTH - 59, 12)]
        draw.line(pts, fill=colour, width=22, joint="curve")
        draw.line([(x, y + 7) for x, y in pts], fill=(255, 255, 255, 90), width=3)


def _motif_shuichan(image, draw, rng, colours) -> None:
    # Fish and shrimp shapes with bubbles.
    for _ in range(rng.randint(4, 6)):
        cx, cy = rng.randint(110, WIDTH - 130), rng.randint(80, HEIGHT - 160)
        length, colour = rng.randint(90, 150), _jitter(colours[rng.randint(0, 1)], rng)
        draw.ellipse((cx - length // 2, cy - length // 5, cx + length // 2, cy + length // 5), fill=colour)
        tail = cx + length // 2 - 6
        draw.polygon(
            [(tail, cy), (tail + length // 3, cy - length // 4), (tail + length // 3, cy + length // 4)],
            fill=colour,
        )
        draw.ellipse((cx - length // 3 - 6, cy - 8, cx - length // 3 + 6, cy + 4), fill=(40, 40, 60, 255))
    for _ in range(18):
        x, y, r = rng.randint(20, WIDTH - 20), rng.randint(20, HEIGHT - 110), rng.randint(4, 12)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=(255, 255, 255, 200), width=2)


def _motif_rou(image, draw, rng, colours) -> None:
    # Sliced meat: fanned rounded slices with fat streaks.
    for i in range(6):
        x0 = 70 + i * 78 + rng.randint(-8, 8)
        y0 = 70 + rng.randint(-10, 20)
        draw.rounded_rectangle(
            (x0, y0, x0 + 120, y0 + 230),
            radius=50,
            fill=_jitter(colours[0], rng),
            outline=(120, 30, 30, 255),
            width=3,
        )
        for _ in range(4):
            yy = y0 + rng.randint(30, 200)
            draw.arc((x0 + 10, yy - 20, x0 + 110, yy + 20), 200, 340, fill=colours[1], width=6)


def _motif_zhiwudanbai(image, draw, rng, colours) -> None:
    # Tofu cubes and yuba sheets.
    for _ in range(rng.randint(6, 9)):
        s = rng.randint(60, 100)
        x, y = rng.randint(50, WIDTH - 50 - s), rng.randint(50, HEIGHT - 120 - s)
        face = _jitter(colours[0], rng, 10)
        side = colours[1]
        draw.polygon([(x, y), (x + s, y), (x + s + 22, y - 18), (x + 22, y - 18)], fill=(255, 252, 240, 255))
        draw.polygon([(x + s, y), (x + s + 22, y - 18), (x + s + 22, y + s - 18), (x + s, y + s)], fill=side)
        draw.rectangle((x, y, x + s, y + s), fill=face, outline=colours[2], width=2)


def _motif_shucai(image, draw, rng, colours) -> None:
    # Leaves, slices and mushrooms.
    for _ in range(rng.randint(9, 13)):
        cx, cy = rng.randint(60, WIDTH - 60), rng.randint(60, HEIGHT - 130)
        w, h = rng.randint(60, 110), rng.randint(24, 40)
        leaf = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        ImageDraw.Draw(leaf).ellipse((0, 0, w - 1, h - 1), fill=_jitter(colours[rng.randint(0, 1)], rng))
        ImageDraw.Draw(leaf).line((4, h // 2, w - 4, h // 2), fill=(230, 245, 210, 255), width=2)
        rotated = leaf.rotate(rng.randint(0, 179), expand=True)
        image.paste(rotated, (cx - rotated.width // 2, cy - rotated.height // 2), rotated)
    for _ in range(rng.randint(2, 4)):
        cx, cy, r = rng.randint(80, WIDTH - 80), rng.randint(80, HEIGHT - 150), rng.randint(26, 40)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colours[2], outline=(200, 180, 140, 255), width=3)
        for k in range(6):
            a = k * math.tau / 6
            draw.ellipse(
                (
                    cx + r * 0.55 * math.cos(a) - 5,
                    cy + r * 0.55 * math.sin(a) - 5,
                    cx + r * 0.55 * math.cos(a) + 5,
                    cy + r * 0.55 * math.sin(a) + 5,
                ),
                fill=(215, 200, 170, 255),
            )


def _motif_tiaoweiliao(image, draw, rng, colours) -> None:
    # A hotpot of red oil, chillies and peppercorns around it.
    cx, cy, r = WIDTH // 2 + rng.randint(-30, 30), HEIGHT // 2 - 40, 130
    draw.ellipse((cx - r - 14, cy - r - 14, cx + r + 14, cy + r + 14), fill=(70, 70, 70, 255))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_jitter(colours[0], rng, 10))
    for _ in range(14):
        a, d = rng.random() * math.tau, rng.uniform(0, r - 20)
        x, y = cx + d * math.cos(a), cy + d * math.sin(a)
        draw.ellipse((x - 9, y - 6, x + 9, y + 6), fill=(250, 180, 60, 230))
    for _ in range(7):
        x, y = rng.randint(30, WIDTH - 90), rng.choice((rng.randint(20, 60), rng.randint(HEIGHT - 150, HEIGHT - 110)))
        draw.chord((x, y, x + 70, y + 40), 180, 360, fill=colours[1])
        draw.line((x + 66, y + 20, x + 80, y + 10), fill=(60, 120, 40, 255), width=5)
    for _ in range(20):
        x, y = rng.randint(10, WIDTH - 10), rng.randint(10, HEIGHT - 100)
        if math.hypot(x - cx, y - cy) > r + 20:
            draw.ellipse((x - 5, y - 5, x + 5, y + 5), fill=colours[2])


MOTIFS = {
    "shuifa": _motif_shuifa,
    "shuichan": _motif_shuichan,
    "rou": _motif_rou,
    "zhiwudanbai": _motif_zhiwudanbai,
    "shucai": _motif_shucai,
    "tiaoweiliao": _motif_tiaoweiliao,
}


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.resize(OUTPUT, Image.Resampling.BILINEAR, reducing_gap=2.0).save(out, format="JPEG", quality=85)
    return out.getvalue()


def product_picture(*, kind: str, category_code: str, category_name: str, variant: int = 0) -> bytes:
    """A JPEG illustration of a sub-category (the same bytes for the same arguments)."""
    rng = random.Random(f"product:{category_code}:{variant}")
    top, bottom, colours = PALETTES.get(kind, PALETTES["shuifa"])
    image = _gradient((WIDTH, HEIGHT), _jitter(top, rng, 8), _jitter(bottom, rng, 12))
    draw = ImageDraw.Draw(image, "RGBA")
    MOTIFS.get(kind, _motif_shuifa)(image, draw, rng, colours)
    _label(draw, category_name)
    _mark(draw, WIDTH)
    return _jpeg(image)


def base_picture(*, kind: str, produce: str, variant: int = 0) -> bytes:
    """A JPEG illustration of a raw-material base: a field, a barn or a pond, with the produce's name."""
    rng = random.Random(f"base:{kind}:{produce}:{variant}")
    sky, ground = BASE_PALETTES.get(kind, BASE_PALETTES["planting"])
    image = _gradient((WIDTH, HEIGHT), sky, (250, 250, 240))
    draw = ImageDraw.Draw(image, "RGBA")
    horizon = 170 + rng.randint(-20, 20)
    sun = rng.randint(80, WIDTH - 160)
    draw.ellipse((sun, 40, sun + 56, 96), fill=(255, 214, 90, 255))
    for _ in range(3):  # hills
        x = rng.randint(-100, WIDTH - 100)
        draw.ellipse((x, horizon - 70, x + 360, horizon + 90), fill=_jitter((130, 175, 110), rng))
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=ground)
    if kind == "planting":
        vanish = (WIDTH // 2 + rng.randint(-60, 60), horizon)
        for i in range(-8, 9):
            x = WIDTH // 2 + i * 90
            colour = (95, 150, 60) if i % 2 else (150, 120, 70)
            draw.polygon([vanish, (x - 30, HEIGHT), (x + 30, HEIGHT)], fill=colour)
        for _ in range(40):
            x, y = rng.randint(0, WIDTH), rng.randint(horizon + 40, HEIGHT - 100)
            draw.ellipse(
                (x - 4, y - 4, x + 4, y + 4),
                fill=(210, 40, 30, 255) if produce in ("辣椒", "花椒") else (200, 230, 120, 255),
            )
    elif kind == "breeding":
        x0 = rng.randint(60, WIDTH - 320)
        draw.rectangle((x0, horizon - 30, x0 + 260, horizon + 90), fill=(180, 60, 50, 255))
        draw.polygon(
            [(x0 - 20, horizon - 30), (x0 + 130, horizon - 110), (x0 + 280, horizon - 30)], fill=(110, 60, 50, 255)
        )
        draw.rectangle((x0 + 100, horizon + 20, x0 + 160, horizon + 90), fill=(240, 230, 210, 255))
        for x in range(0, WIDTH, 30):  # fence
            draw.line((x, horizon + 110, x, horizon + 160), fill=(240, 235, 220, 255), width=5)
        draw.line((0, horizon + 125, WIDTH, horizon + 125), fill=(240, 235, 220, 255), width=5)
        draw.line((0, horizon + 148, WIDTH, horizon + 148), fill=(240, 235, 220, 255), width=5)
    else:
        draw.ellipse((40, horizon + 10, WIDTH - 40, HEIGHT - 70), fill=(80, 150, 200, 255))
        for _ in range(9):
            x, y = rng.randint(100, WIDTH - 160), rng.randint(horizon + 40, HEIGHT - 130)
            draw.arc((x, y, x + 70, y + 16), 0, 180, fill=(220, 240, 255, 255), width=3)
        for x in (20, WIDTH - 60):  # trees
            draw.rectangle((x + 16, horizon - 30, x + 24, horizon + 20), fill=(110, 80, 50, 255))
            draw.ellipse((x - 10, horizon - 90, x + 50, horizon - 20), fill=(70, 140, 70, 255))
    _label(draw, f"{produce}基地")
    _mark(draw, WIDTH)
    return _jpeg(image)


def logo_picture(*, text: str, seed: str) -> bytes:
    """A JPEG logo: a coloured roundel with up to two characters of the short name."""
    rng = random.Random(f"logo:{seed}")
    colour = rng.choice(LOGO_COLOURS)
    image = Image.new("RGB", (LOGO_SIDE, LOGO_SIDE), (255, 255, 255))
    draw = ImageDraw.Draw(image, "RGBA")
    draw.ellipse((8, 8, LOGO_SIDE - 8, LOGO_SIDE - 8), fill=colour)
    draw.ellipse((22, 22, LOGO_SIDE - 22, LOGO_SIDE - 22), outline=(255, 255, 255, 200), width=4)
    letters = (text or "")[:2]
    if len(letters) == 2:
        _text(draw, (LOGO_SIDE // 2, LOGO_SIDE // 2 - 8), letters, 84, (255, 255, 255, 255), anchor="mm")
    else:
        _text(draw, (LOGO_SIDE // 2, LOGO_SIDE // 2 - 8), letters, 120, (255, 255, 255, 255), anchor="mm")
    _text(draw, (LOGO_SIDE // 2, LOGO_SIDE - 58), "演示", 24, (255, 255, 255, 220), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()
