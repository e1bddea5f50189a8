"""Draw the application icon (resources/icons/carbondesk.png and .ico) with the bundled font.

A dark green rounded square with 碳 in white: run once when the design changes; the files are committed.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"


def draw(size: int) -> Image.Image:
    scale = 4  # drawn large, then reduced: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=(21, 101, 72, 255))
    pen.rounded_rectangle(
        (big // 16, big // 16, big - big // 16, big - big // 16),
        radius=big // 6,
        outline=(146, 214, 170, 255),
        width=max(1, big // 40),
    )
    font = ImageFont.truetype(str(ROOT / "resources" / "fonts" / "wqy-microhei.ttc"), int(big * 0.62))
    box = pen.textbbox((0, 0), "碳", font=font)
    x = (big - (box[2] - box[0])) / 2 - box[0]
    y = (big - (box[3] - box[1])) / 2 - box[1]
    pen.text((x, y), "碳", font=font, fill=(255, 255, 255, 255))
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw(256).save(OUT / "carbondesk.png")
    draw(256).save(
        OUT / "carbondesk.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]
    )
    print(f"written {OUT / 'carbondesk.png'} and {OUT / 'carbondesk.ico'}")


if __name__ == "__main__":
    main()
