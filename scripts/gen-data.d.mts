// Types for scripts/gen-data.mjs.
export interface DataFile {
  tsv: string;
  module: string;
  name: string;
}
export const DATA_FILES: DataFile[];
export function renderModule(file: DataFile, text: string): string;
