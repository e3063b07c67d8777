// Reading screenshots' pixels, to check what a page draws where. The PNGs are decoded by the
// browser itself (an <img> drawn on a canvas): no image library needed.

import type { Page } from "playwright-core";

export interface Region {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The smallest rectangle holding every pixel that differs between two same-sized screenshots, or null. */
export function changedRegion(page: Page, a: Buffer, b: Buffer): Promise<Region | null> {
  return page.evaluate(
    async ([first, second]) => {
      const pixels = async (base64: string) => {
        const image = new Image();
        image.src = `data:image/png;base64,${base64}`;
        await image.decode();
        const canvas = document.createElement("canvas");
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext("2d")!;
        context.drawImage(image, 0, 0);
        return context.getImageData(0, 0, image.width, image.height);
      };
      const [x, y] = await Promise.all([pixels(first), pixels(second)]);
      if (x.width !== y.width || x.height !== y.height) throw new Error("screenshots of different sizes");
      let region: { left: number; top: number; right: number; bottom: number } | null = null;
      for (let row = 0; row < x.height; row++) {
        for (let column = 0; column < x.width; column++) {
          const i = (row * x.width + column) * 4;
          if (x.data[i] === y.data[i] && x.data[i + 1] === y.data[i + 1] && x.data[i + 2] === y.data[i + 2]) continue;
          region ??= { left: column, top: row, right: column + 1, bottom: row + 1 };
          region.left = Math.min(region.left, column);
          region.top = Math.min(region.top, row);
          region.right = Math.max(region.right, column + 1);
          region.bottom = Math.max(region.bottom, row + 1);
        }
      }
      return region;
    },
    [a.toString("base64"), b.toString("base64")] as const,
  );
}

/**
 * The share of pixels in `region` that clearly differ from its most common colour (its
 * background): about 0 for a blank area, a few percent and more where there is text.
 */
export function inkRatio(page: Page, png: Buffer, region: Region): Promise<number> {
  return page.evaluate(
    async ([base64, area]) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext("2d")!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(area.left, area.top, area.right - area.left, area.bottom - area.top);
      const counts = new Map<number, number>();
      for (let i = 0; i < data.length; i += 4) {
        const colour = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
        counts.set(colour, (counts.get(colour) ?? 0) + 1);
      }
      const background = [...counts.entries()].sort((p, q) => q[1] - p[1])[0]![0];
      const [r, g, b] = [background >> 16, (background >> 8) & 255, background & 255];
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) > 96) ink++;
      }
      return ink / (data.length / 4);
    },
    [png.toString("base64"), region] as const,
  );
}
