// Every HRESULT spelling of cbs-formats.md §1.7 (verbatim message fragments) normalises to 0x + 8 lower-case hex.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findHresult, hresultNameOf, isFailureCode } from './hresult-text';

const SPELLINGS: [string, string, string | null][] = [
  ['Startup: Failed to process advanced operation queue, startupPhase: 0.  A rollback transaction will be created. [HRESULT = 0x800f0922 - CBS_E_INSTALLERS_FAILED]', '0x800f0922', 'CBS_E_INSTALLERS_FAILED'],
  ['[HRESULT = 0x80040154 - Unknown Error]', '0x80040154', 'Unknown Error'],
  ['Failed to FinalizeEx using worker session [HRESULT = 0x800f0922]', '0x800f0922', null],
  ['Exec: Processing complete.  Session: 30579072_298067563, Package: Microsoft-Windows-Foundation-Package~31bf3856ad364e35~amd64~~10.0.14393.0 [HRESULT =0x800f0922 - CBS_E_INSTALLERS_FAILED]', '0x800f0922', 'CBS_E_INSTALLERS_FAILED'],
  ['CheckSur: hrStatus: 0x800f0906 [CBS_E_DOWNLOAD_FAILURE], download Result: 0x80240438 [Unknown Error]', '0x800f0906', 'CBS_E_DOWNLOAD_FAILURE'],
  ['WER: Generating failure report for package: Package_for_KB3177467~31bf3856ad364e35~amd64~~6.1.1.1, status: 0x800736b3, failure source: Execute', '0x800736b3', null],
  ['download status: 0x0 (S_OK),reboot required: False, overall result:0x800f0922 (CBS_E_INSTALLERS_FAILED)', '0x00000000', 'S_OK'],
  ['(F) Failed execution of queue item Installer: HTTP Installer ({<Installer ID>}) with HRESULT HRESULT_FROM_WIN32(1058).  Failure will not be ignored', '0x80070422', null],
  ['with HRESULT HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND).  Failure will not be ignored', '0x80070002', 'ERROR_FILE_NOT_FOUND'],
  ['(F) Installer: Container Installer\tBinary Name: containerai.dll\tErrorCode: 800706d9\tPhase: 39', '0x800706d9', null],
  ['DISM Package Manager: PID=6108 TID=5192 Failed finalizing changes. - CDISMPackageManager::Internal_Finalize(hr:0x800f0922)', '0x800f0922', null],
  ['DISM.EXE: DISM Package Manager processed the command line but failed. HRESULT=800F0922', '0x800f0922', null],
  ['PID=6108 TID=4556  Error in operation: (null) (CBS HRESULT=0x800f0922) - CCbsConUIHandler::Error', '0x800f0922', null],
  ['FC: CFCAcquirerWUClient::Download(141): Result = 0x800F0950', '0x800f0950', null],
  ['with status -2147023143', '0x800706d9', null],
  ['*FAILED* [800703F0] Failed to get proxy settings token, not impersonating user', '0x800703f0', null],
  ['(F) STATUS_SXS_COMPONENT_STORE_CORRUPT #62038# from CCSDirectTransaction::OperateEnding at index 0 of 1 operations, disposition 0[gle=0xd015001a]', '0xd015001a', null],
];

test('every spelling of §1.7 yields the code as 0x + 8 lower-case hex, with the printed name', () => {
  for (const [text, code, name] of SPELLINGS) {
    const found = findHresult(text);
    assert.ok(found, `no code found in: ${text}`);
    assert.equal(found.code, code, text);
    assert.equal(found.printedName, name, text);
  }
});

test('text without a status code yields null', () => {
  assert.equal(findHresult('Exec: Using execution sequence: 69'), null);
  assert.equal(findHresult('CSI Transaction @0x29dd717d150 destroyed'), null);
});

test('names come from the reference table by number, never from the log', () => {
  // Support case 1: the email printed ERROR_INVALID_PARAMETER for 0x8007000d.
  assert.equal(hresultNameOf('0x8007000d', 'ERROR_INVALID_PARAMETER'), 'ERROR_INVALID_DATA');
  assert.equal(hresultNameOf('0x80240438', 'Unknown Error'), null);
  assert.equal(hresultNameOf('0x8024ffff', 'WU_E_SOMETHING'), 'WU_E_SOMETHING');
});

test('success codes, including success-with-reboot, are not failures', () => {
  assert.equal(isFailureCode('0x00000000'), false);
  assert.equal(isFailureCode('0x80070bc2'), false);
  assert.equal(isFailureCode('0x800f0922'), true);
});
