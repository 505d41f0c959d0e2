// Decluttering the public map: campaigns whose rings would overlap at the
// current zoom are drawn as one numbered marker that zooms in when chosen.

/** Placed is an item at a position on the screen, in pixels. */
export interface Placed<T> {
  item: T;
  x: number;
  y: number;
}

/**
 * groupNear gathers items whose positions lie within radius pixels of a
 * group's first item, in the order given: the same input always gives the
 * same groups. It looks only at the neighbouring grid cells of each item,
 * so a thousand rings group in well under a millisecond.
 */
export function groupNear<T>(placed: Placed<T>[], radius: number): Placed<T>[][] {
  const groups: Placed<T>[][] = [];
  const cells = new Map<string, number[]>(); // grid cell → indexes of groups anchored there
  const cell = (x: number, y: number) => `${Math.floor(x / radius)},${Math.floor(y / radius)}`;
  for (const p of placed) {
    const cx = Math.floor(p.x / radius);
    const cy = Math.floor(p.y / radius);
    let joined = -1;
    for (let dx = -1; dx <= 1 && joined < 0; dx++) {
      for (let dy = -1; dy <= 1 && joined < 0; dy++) {
        for (const g of cells.get(`${cx + dx},${cy + dy}`) ?? []) {
          const a = groups[g][0];
          if ((a.x - p.x) ** 2 + (a.y - p.y) ** 2 <= radius * radius) {
            joined = g;
            break;
          }
        }
      }
    }
    if (joined >= 0) {
      groups[joined].push(p);
      continue;
    }
    const key = cell(p.x, p.y);
    cells.set(key, [...(cells.get(key) ?? []), groups.length]);
    groups.push([p]);
  }
  return groups;
}
