// `scan PATH... [--json]`: parse servicing logs and print a Report v1 or a readable summary.
export async function runScanCommand(_args: string[]): Promise<number> {
  process.stderr.write('patchlens-agent: scan is not available in this build yet\n');
  return 2;
}
