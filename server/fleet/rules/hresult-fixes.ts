// The usual first fix per servicing HRESULT, kept as data beside the name/meaning table in protocol/.
/** One sentence per code: what a support engineer tries first. Codes not listed get no suggestion. */
export const TYPICAL_FIXES: Readonly<Record<string, string>> = {
  '0x8007000d': 'Component store data is invalid: run DISM /Online /Cleanup-Image /RestoreHealth, then sfc /scannow, then retry the update; if DISM reports 0x800f081f, copy the corrupt component from a healthy device of the same build.',
  '0x800f081f': 'DISM found no replacement payload: run RestoreHealth with /Source pointing at a healthy device or a matching install image, with /LimitAccess.',
  '0x800f0906': 'The repair source could not be downloaded: give DISM a /Source (matching install image or healthy device) or allow access to Windows Update.',
  '0x800f0915': 'No repair content anywhere: give DISM a /Source from a matching install image or a healthy device of the same build.',
  '0x80073712': 'The component store is inconsistent: run DISM RestoreHealth (with a /Source if it reports 0x800f081f), then retry the update.',
  '0x800f0831': 'A package manifest is missing from the store: install the missing package (from the Microsoft Update Catalog) named in CBS.log, then retry.',
  '0x80073701': 'A referenced assembly is missing: run DISM RestoreHealth, then retry; an in-place upgrade is the fallback.',
  '0x800f0922': 'Advanced installers failed (often the System Reserved partition is full or the Container Installer failed): free space on the system partition and retry.',
  '0x800f0823': 'A newer servicing stack is required: install the latest servicing stack update first, then retry.',
  '0x80070005': 'Access denied to servicing paths: reset permissions on %windir%\\WinSxS and the CBS registry keys, check antivirus exclusions, then retry.',
  '0x80070020': 'A file was in use (usually a filter driver such as antivirus): retry after a clean boot or with the antivirus paused.',
  '0x80070002': 'A file the update needs is missing: clear %windir%\\SoftwareDistribution\\Download, run RestoreHealth, then retry.',
  '0x800f0982': 'No matching component for hydration: run RestoreHealth, then install the update offline with DISM /Add-Package.',
  '0x800f0984': 'A matching binary is missing from the store: copy the component from a healthy device of the same build, run RestoreHealth, then retry.',
  '0x800f0986': 'A forward delta could not be applied: run RestoreHealth, then install the update offline.',
  '0x800f0988': 'An invalid delta combination: run DISM /Online /Cleanup-Image /StartComponentCleanup, then retry the update.',
  '0x80070bc9': 'A previous operation needs a restart: restart the device (TrustedInstaller must not be forced to Manual by policy), then retry.',
  '0x8024001e': 'The service or system was shutting down: retry when the device stays on.',
  '0x80240034': 'The download failed: check proxy and WSUS reachability, clear the download cache, then retry.',
  '0x80072ee2': 'Windows Update could not be reached in time: check the proxy, firewall and WSUS/Configuration Manager connectivity.',
};
