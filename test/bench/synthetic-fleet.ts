// A deterministic synthetic fleet for benchmarks: mostly healthy devices, some failing updates, a few corrupt component stores.
import type { Report } from '../../protocol/report';

const BUILDS = [
  { build: '19045.4780', kb: 'KB5041580', revision: 4780 },
  { build: '19045.4894', kb: 'KB5043064', revision: 4894 },
  { build: '19045.5011', kb: 'KB5044273', revision: 5011 },
  { build: '19044.4894', kb: 'KB5043064', revision: 4894 },
] as const;
const FAILING = [
  { kb: 'KB5043064', hresult: '0x8007000d', revision: 4894 },
  { kb: 'KB5044273', hresult: '0x800f081f', revision: 5011 },
  { kb: 'KB5044273', hresult: '0x80073712', revision: 5011 },
] as const;
const FAMILIES = [
  { family: 'dual_wpdmtp.inf', file: 'WpdMtpUS.dll', versions: ['10.0.19041.746', '10.0.19041.3636', '10.0.19041.4355'] },
  { family: 'dual_wvmbusr.inf', file: 'vmbuspipec.dll', versions: ['10.0.19041.4597'] },
  { family: 'microsoft-windows-defender-am-engine', file: 'mpengine.dll', versions: ['10.0.19041.3996'] },
] as const;

export const deviceId = (i: number) => `ws-${String(i).padStart(6, '0')}`;

/** The report device `i` sends as its `sequence`-th report; content depends only on `i` (and `variant`). */
export function syntheticDeviceReport(i: number, sequence: number, variant = 0): Report {
  const os = BUILDS[i % BUILDS.length]!;
  const at = new Date(Date.UTC(2024, 10, 1) + sequence * 60_000).toISOString();
  const packages: Report['packages'] = [
    {
      identity: `Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.${os.revision}.1.9`,
      kb: os.kb,
      state: 'Installed',
      lastResult: null,
      failureSource: null,
      lastChangeAt: '2024-10-20T10:00:00Z',
      client: 'WindowsUpdateAgent',
    },
    ...Array.from({ length: 6 }, (_, p) => ({
      identity: `Package_for_KB50${30000 + p * 7}~31bf3856ad364e35~amd64~~10.0.1.${p}`,
      kb: `KB50${30000 + p * 7}`,
      state: 'Installed' as const,
      lastResult: null,
      failureSource: null,
      lastChangeAt: '2024-09-10T10:00:00Z',
      client: 'WindowsUpdateAgent',
    })),
  ];
  const failures: Report['failures'] = [];
  const corruption: Report['corruption'] = [];
  const scans: Report['scans'] = [];
  if (i % 20 === 3 || variant % 7 === 1) {
    const failing = FAILING[i % FAILING.length]!;
    packages.push({
      identity: `Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.${failing.revision}.1.9`,
      kb: failing.kb,
      state: 'Failed',
      lastResult: failing.hresult,
      failureSource: 'Stage',
      lastChangeAt: at,
      client: 'WindowsUpdateAgent',
    });
    failures.push({
      at,
      package: `Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.${failing.revision}.1.9`,
      kb: failing.kb,
      hresult: failing.hresult,
      hresultName: null,
      failureSource: 'Stage',
      startState: 'Installed',
      targetState: 'Installed',
      client: 'WindowsUpdateAgent',
      evidence: [`2024-11-21 13:55:22, Error                 CBS    Failed to process single phase execution. [HRESULT = ${failing.hresult}]`],
    });
    if (i % 100 === 3) {
      const fam = FAMILIES[i % FAMILIES.length]!;
      const version = fam.versions[i % fam.versions.length]!;
      corruption.push({
        at,
        component: `amd64_${fam.family}_31bf3856ad364e35_${version}_none_8478465c1c781ea5`,
        family: fam.family,
        arch: 'amd64',
        version,
        file: fam.file,
        kind: 'payload-corrupt',
        source: 'sur',
        repaired: false,
        evidence: [`(p)	CSI Payload Corrupt	(n)	amd64_${fam.family}_31bf3856ad364e35_${version}_none_8478465c1c781ea5\\${fam.file}`],
      });
      scans.push({
        at,
        tool: 'dism',
        operation: 'Detect and Repair',
        result: '0x800f081f',
        detected: { total: 1, cbsManifest: 0, cbsMetadata: 0, csiManifest: 0, csiMetadata: 0, csiPayload: 1 },
        repaired: { total: 0, cbsManifest: 0, csiManifest: 0, csiPayload: 0 },
      });
    }
  }
  return {
    schemaVersion: 1,
    reportId: `${deviceId(i)}-${sequence}-${variant}`,
    generatedAt: at,
    sequence,
    device: { id: deviceId(i), hostname: deviceId(i).toUpperCase(), osBuild: os.build, servicingStack: `10.0.19041.${os.revision}` },
    packages,
    failures,
    corruption,
    scans,
    hotfixes: [{ kb: os.kb, installedOn: '2024-10-20' }],
    parse: { files: [{ name: 'CBS.log', bytes: 1_048_576, lines: 9_000 }], unrecognizedLines: 0 },
  };
}
