/** Bits per word. */
const B = 30;
const MASK = (1 << B) - 1;

/**
 * A set of versions of one package, as a bitset over the package's candidate versions in
 * ascending order (its "universe"). Sets over a finite universe make every operation PubGrub needs
 * (intersection, union, complement, subset) exact and cheap, whatever the ranges looked like.
 *
 * Values are immutable; every operation returns a new set. Words hold 30 bits each so that V8
 * keeps them as small integers in a plain array: cheaper to allocate than a typed array, which
 * matters because the solver makes many short-lived sets.
 */
export class VersionSet {
  private constructor(readonly size: number, private readonly words: number[]) {}

  /** The empty set over a universe of `size` versions. */
  static empty(size: number): VersionSet {
    return new VersionSet(size, new Array<number>(Math.ceil(size / B)).fill(0));
  }

  /** The whole universe of `size` versions. */
  static full(size: number): VersionSet {
    const s = VersionSet.empty(size);
    s.words.fill(MASK);
    s.trim();
    return s;
  }

  /** The versions at indices `from` to `to`, both included. */
  static span(size: number, from: number, to: number): VersionSet {
    const s = VersionSet.empty(size);
    for (let i = from; i <= to; i++) s.words[(i / B) | 0] |= 1 << (i % B);
    return s;
  }

  /** The versions whose index passes `test`. */
  static of(size: number, test: (index: number) => boolean): VersionSet {
    const s = VersionSet.empty(size);
    for (let i = 0; i < size; i++) if (test(i)) s.words[(i / B) | 0] |= 1 << (i % B);
    return s;
  }

  private trim(): void {
    const rest = this.size % B;
    if (rest !== 0) this.words[this.words.length - 1] &= (1 << rest) - 1;
  }

  has(index: number): boolean {
    return (this.words[(index / B) | 0] & (1 << (index % B))) !== 0;
  }

  isEmpty(): boolean {
    for (const w of this.words) if (w !== 0) return false;
    return true;
  }

  isFull(): boolean {
    return this.count() === this.size;
  }

  count(): number {
    let n = 0;
    for (let w of this.words) {
      w = w - ((w >>> 1) & 0x55555555);
      w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
      n += (((w + (w >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }

  intersect(o: VersionSet): VersionSet {
    const r = new Array<number>(this.words.length);
    for (let i = 0; i < r.length; i++) r[i] = this.words[i] & o.words[i];
    return new VersionSet(this.size, r);
  }

  union(o: VersionSet): VersionSet {
    const r = new Array<number>(this.words.length);
    for (let i = 0; i < r.length; i++) r[i] = this.words[i] | o.words[i];
    return new VersionSet(this.size, r);
  }

  minus(o: VersionSet): VersionSet {
    const r = new Array<number>(this.words.length);
    for (let i = 0; i < r.length; i++) r[i] = this.words[i] & ~o.words[i];
    return new VersionSet(this.size, r);
  }

  complement(): VersionSet {
    const r = new Array<number>(this.words.length);
    for (let i = 0; i < r.length; i++) r[i] = ~this.words[i] & MASK;
    const s = new VersionSet(this.size, r);
    s.trim();
    return s;
  }

  /** Whether every version of this set is in `o`. */
  isSubsetOf(o: VersionSet): boolean {
    for (let i = 0; i < this.words.length; i++) {
      if ((this.words[i] & ~o.words[i]) !== 0) return false;
    }
    return true;
  }

  isDisjointFrom(o: VersionSet): boolean {
    for (let i = 0; i < this.words.length; i++) {
      if ((this.words[i] & o.words[i]) !== 0) return false;
    }
    return true;
  }

  equals(o: VersionSet): boolean {
    for (let i = 0; i < this.words.length; i++) if (this.words[i] !== o.words[i]) return false;
    return true;
  }

  /** The indices in the set, ascending. */
  indices(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.has(i)) out.push(i);
    return out;
  }

  /** The highest index in the set, or -1 when empty. */
  last(): number {
    for (let w = this.words.length - 1; w >= 0; w--) {
      const word = this.words[w];
      if (word !== 0) return w * B + 31 - Math.clz32(word);
    }
    return -1;
  }

  /** A string that is equal for equal sets over the same universe (a map key). */
  key(): string {
    return this.words.join(",");
  }
}
