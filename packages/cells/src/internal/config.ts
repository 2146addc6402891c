/**
 * A config with every default filled in (what `cell.config` holds). Fields listed in
 * `Optional` have no default and stay optional (LSTM `projSize`).
 */
export type Resolved<T, Optional extends keyof T = never> = Readonly<Required<Omit<T, Optional>> & Pick<T, Optional>>;
