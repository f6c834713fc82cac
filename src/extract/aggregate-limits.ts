// How large an aggregate may be: its cells are held in memory (secondary suppression needs all of them), read at
// once from the database. An aggregate with more cells is a record-level extract in disguise.
export const MAX_CELLS = 250_000;
