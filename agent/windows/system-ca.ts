// The Windows machine root store as PEM, so TLS trusts what the bank's PKI deployed by GPO (Node ships its own roots).
import type { SystemAdapter } from './adapter';

const EXPORT_ROOTS = String.raw`
Get-ChildItem Cert:\LocalMachine\Root | ForEach-Object {
  "-----BEGIN CERTIFICATE-----"
  [Convert]::ToBase64String($_.RawData, 'InsertLineBreaks')
  "-----END CERTIFICATE-----"
}
`;

/** PEM blocks from the machine root store; empty off Windows or when PowerShell fails. */
export async function systemRootCertificates(adapter: SystemAdapter): Promise<string[]> {
  if (adapter.platform !== 'win32') return [];
  const result = await adapter.powershell(EXPORT_ROOTS, 60_000);
  if (result.code !== 0) return [];
  return splitPem(result.stdout);
}

export function splitPem(text: string): string[] {
  return [...text.replace(/\r/g, '').matchAll(/-----BEGIN CERTIFICATE-----\n[\s\S]*?\n-----END CERTIFICATE-----/g)].map((match) => match[0]);
}
