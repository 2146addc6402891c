/** Made at build time by the `playgroundData` plug-in in vite.config.ts. */
declare module 'virtual:playground-data' {
  /** The opening of Moby-Dick, chapter 1 (public domain). */
  export const MOBY_DICK: string;
  /** Monthly mean CO₂ at Mauna Loa (ppm), the last months of the record. */
  export const CO2: { readonly dates: readonly string[]; readonly values: readonly number[] };
}
