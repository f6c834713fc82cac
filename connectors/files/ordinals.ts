// Row ordinals that stay put while the connector deletes rows. A file row's key is its ordinal: its 1-based
// data row number in the file as it was when this connector first opened it. Deleting rows renumbers the rows
// after them in the file, so the connector remembers the ordinals it deleted and maps positions in the current
// file back to first-seen ordinals. A caller that reads a batch, deletes some of it, and goes on with the next
// batch (or deletes by ordinals it read before a rewrite) therefore always hits the rows it means.

export class OrdinalMap {
  /** Ordinals deleted by this connector, ascending. */
  private deleted: number[] = [];

  /** A converter from positions in the file as it is now (1, 2, 3, ... in order) to ordinals. */
  cursor(): (position: number) => number {
    const deleted = this.deleted; // replaced, never mutated: a reader keeps the numbering of the file it opened
    let ordinal = 0;
    let i = 0;
    let lastPosition = 0;
    return (position) => {
      if (position !== lastPosition + 1) throw new Error(`positions must come in order (${lastPosition} then ${position})`);
      lastPosition = position;
      ordinal++;
      while (i < deleted.length && deleted[i] <= ordinal) {
        if (deleted[i] === ordinal) ordinal++;
        i++;
      }
      return ordinal;
    };
  }

  /** Records ordinals that a rewrite removed from the file. */
  markDeleted(ordinals: readonly number[]): void {
    if (ordinals.length === 0) return;
    const added = [...ordinals].sort((a, b) => a - b);
    const merged: number[] = [];
    let i = 0;
    let j = 0;
    while (i < this.deleted.length || j < added.length) {
      const next = j >= added.length || (i < this.deleted.length && this.deleted[i] < added[j]) ? this.deleted[i++] : added[j++];
      if (merged[merged.length - 1] !== next) merged.push(next);
    }
    this.deleted = merged;
  }

  /** Forgets the history: the file was replaced by someone else, and positions are ordinals again. */
  reset(): void {
    this.deleted = [];
  }
}
