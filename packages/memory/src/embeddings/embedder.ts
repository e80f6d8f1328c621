/**
 * Turns texts into vectors for the vector store. `id` names the model and its settings; it is
 * stored with every vector so that vectors from different embedders are never compared.
 */
export interface Embedder {
  readonly dimensions: number;
  readonly id: string;
  /** One vector per text, in order. */
  embed(texts: readonly string[]): Promise<number[][]>;
}
