// Report v1 values for agent tests, built from the support-case-1 evidence (KB5043064, 0x8007000d, dual_wpdmtp.inf).
import { reportSchema, type Report } from '../../../protocol/report';

export function caseOneReport(deviceId: string, sequence: number, reportId = `r-test-${deviceId}-${sequence}`): Report {
  return reportSchema.parse({
    schemaVersion: 1,
    reportId,
    generatedAt: new Date(Date.UTC(2024, 10, 21, 14, 0, sequence)).toISOString(),
    sequence,
    device: { id: deviceId, hostname: 'PC-0042', osBuild: '19045.4894' },
    packages: [],
    failures: [
      {
        at: '2024-11-21T13:55:22',
        package: 'Package_for_ServicingStack-65958641-65958641-65958641-65958641',
        kb: 'KB5043064',
        hresult: '0x8007000d',
        hresultName: 'ERROR_INVALID_DATA',
        failureSource: 'Stage',
        startState: 'Installed',
        targetState: 'Installed',
        client: 'WindowsUpdateAgent',
        evidence: ['2024-11-21 13:55:22, Error CBS Failed to process single phase execution. [HRESULT = 0x8007000d - ERROR_INVALID_PARAMETER]'],
      },
    ],
    corruption: [],
    scans: [],
    hotfixes: [],
    parse: { files: [{ name: 'CBS.log', bytes: 1000, lines: 20 }], unrecognizedLines: 0 },
  });
}
