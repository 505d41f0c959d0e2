import { describe, expect, it } from "vitest";
import { groupNear, type Placed } from "./declutter";

const at = (id: string, x: number, y: number): Placed<string> => ({ item: id, x, y });
const ids = (groups: Placed<string>[][]) => groups.map((g) => g.map((p) => p.item));

describe("groupNear", () => {
  it("keeps apart rings that do not overlap and gathers those that do", () => {
    const groups = groupNear([at("a", 0, 0), at("b", 30, 0), at("c", 100, 0), at("d", 100, 40), at("e", 300, 300)], 44);
    expect(ids(groups)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  it("finds a neighbour across a grid cell's edge", () => {
    expect(ids(groupNear([at("a", 43, 43), at("b", 45, 45)], 44))).toEqual([["a", "b"]]);
  });

  it("gives the same groups for the same input, and none for none", () => {
    const input = Array.from({ length: 200 }, (_, i) => at(String(i), (i * 37) % 500, (i * 53) % 500));
    expect(ids(groupNear(input, 44))).toEqual(ids(groupNear(input, 44)));
    expect(groupNear([], 44)).toEqual([]);
    expect(groupNear(input, 44).flat()).toHaveLength(200);
  });

  it("measures from a group's first ring, so groups do not chain across the map", () => {
    const line = Array.from({ length: 10 }, (_, i) => at(String(i), i * 30, 0));
    expect(groupNear(line, 44).length).toBeGreaterThan(1);
  });
});
