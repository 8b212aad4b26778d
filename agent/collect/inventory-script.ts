// The PowerShell script that reads identity, OS build, installed updates and WUA history and prints ONE JSON document.
// Kept as a string module so the single-file bundle carries it. Windows PowerShell 5.1 syntax only.
export const INVENTORY_SCRIPT = String.raw`
$ErrorActionPreference = 'Stop'
$problems = New-Object System.Collections.Generic.List[string]
function Try-Get([scriptblock]$block, [string]$what) {
  try { & $block } catch { $problems.Add("$($what): $($_.Exception.Message)"); $null }
}
$cv = Try-Get { Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' } 'registry CurrentVersion'
$crypto = Try-Get { Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Cryptography' } 'registry MachineGuid'
$tz = [System.TimeZoneInfo]::Local
$stack = Try-Get {
  Get-ChildItem (Join-Path $env:windir 'servicing\Version') -Directory |
    Sort-Object { [version]$_.Name } -Descending | Select-Object -First 1 -ExpandProperty Name
} 'servicing stack version'
$identity = [ordered]@{
  machineGuid = if ($crypto) { [string]$crypto.MachineGuid } else { $null }
  hostname = [string]$env:COMPUTERNAME
  productName = if ($cv) { [string]$cv.ProductName } else { $null }
  editionId = if ($cv) { [string]$cv.EditionID } else { $null }
  displayVersion = if ($cv -and $cv.DisplayVersion) { [string]$cv.DisplayVersion } elseif ($cv) { [string]$cv.ReleaseId } else { $null }
  currentBuild = if ($cv) { [string]$cv.CurrentBuildNumber } else { $null }
  ubr = if ($cv -and $null -ne $cv.UBR) { [int]$cv.UBR } else { $null }
  architecture = [string]$env:PROCESSOR_ARCHITECTURE
  servicingStack = if ($stack) { [string]$stack } else { $null }
  timeZone = $tz.Id
  utcOffsetMinutes = [int]$tz.GetUtcOffset([DateTime]::Now).TotalMinutes
  culture = (Get-Culture).Name
}
# Raw WMI InstalledOn (M/D/YYYY, yyyymmdd or hex FILETIME): Get-HotFix's re-rendering is culture-dependent.
$hotfixes = @(Try-Get {
  Get-CimInstance -ClassName Win32_QuickFixEngineering | ForEach-Object {
    [ordered]@{ hotFixId = [string]$_.HotFixID; description = [string]$_.Description; installedBy = [string]$_.InstalledBy; installedOn = [string]$_.InstalledOn }
  }
} 'Win32_QuickFixEngineering')
$history = @(Try-Get {
  $searcher = (New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher()
  $count = $searcher.GetTotalHistoryCount()
  if ($count -gt 0) {
    $searcher.QueryHistory(0, [Math]::Min($count, 2000)) | ForEach-Object {
      # IUpdateHistoryEntry.Date is UTC already.
      [ordered]@{ operation = [int]$_.Operation; resultCode = [int]$_.ResultCode; hresult = [int]$_.HResult; date = $_.Date.ToString('yyyy-MM-ddTHH:mm:ssZ', [Globalization.CultureInfo]::InvariantCulture); title = [string]$_.Title }
    }
  }
} 'Windows Update history')
[ordered]@{ schema = 1; identity = $identity; hotfixes = @($hotfixes | Where-Object { $_ }); history = @($history | Where-Object { $_ }); problems = @($problems) } | ConvertTo-Json -Depth 5 -Compress
`;
