# Regenerates the image-format test assets with Pillow (Debian python3-pil): solid 16x16 blocks
# of known colours in formats ImageSharp must convert to 8-bit RGB. Run: /usr/bin/python3 make_images.py
from PIL import Image

COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255),
           (0, 0, 0), (128, 128, 128), (255, 255, 0), (40, 90, 200)]

def blocks(mode_of, colours):
    img = Image.new("RGB", (16 * 4, 16 * 2))
    for i, c in enumerate(colours):
        x, y = (i % 4) * 16, (i // 4) * 16
        img.paste(Image.new("RGB", (16, 16), c), (x, y))
    return img

rgb = blocks("RGB", COLOURS)
rgb.convert("CMYK").save("cmyk.jpg", quality=95, subsampling=0)

GRAYS = [0, 17, 64, 100, 128, 200, 254, 255]
gray = Image.new("L", (64, 32))
for i, v in enumerate(GRAYS):
    gray.paste(v, ((i % 4) * 16, (i // 4) * 16, (i % 4) * 16 + 16, (i // 4) * 16 + 16))
gray.save("gray8.png")

# 16-bit grayscale: values v*257 (exact) and a few in between (1000, 40000).
GRAY16 = [0, 1000, 64 * 257, 40000, 128 * 257, 200 * 257, 65000, 65535]
# (Built from raw little-endian samples: Pillow's paste() of an int into I;16 repeats the low byte.)
samples = bytearray()
for y in range(32):
    for x in range(64):
        samples += GRAY16[(y // 16) * 4 + x // 16].to_bytes(2, "little")
Image.frombytes("I;16", (64, 32), bytes(samples)).save("gray16.png")

rgb.convert("P", palette=Image.ADAPTIVE, colors=8).save("palette.png")
