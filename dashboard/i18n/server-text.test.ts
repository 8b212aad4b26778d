// zh-CN covers every text the server words in English: each shipped HRESULT and fix, each remediation rule, each alert kind; English stays the fallback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALERT_KINDS, alertParams, defaultBaselineName } from '../../protocol/fleet-api';
import { allHresults } from '../../protocol/hresult';
import { aggregateConditions, staleCondition } from '../../server/fleet/alerts';
import { TYPICAL_FIXES } from '../../server/fleet/rules/hresult-fixes';
import { REMEDIATION_RULES } from '../../server/fleet/rules/remediation-rules';
import { complianceOf, loadFleet, remediateInFleet } from '../../test/server/fleet/fixtures';
import { createFormatter } from '../format';
import { HRESULT_TEXT_ZH_CN } from './hresults-zh-CN';
import { serverText } from './server-text';
import { ALERTS_ZH_CN, REMEDIATION_ZH_CN } from './server-zh-CN';

const HAN = /[\u4e00-\u9fff]/;
const fmt = createFormatter('zh-CN', 'Asia/Shanghai');
const zh = serverText('zh-CN', fmt);

test('every HRESULT the product ships has a Chinese meaning, and every typical fix a Chinese fix', () => {
  const shipped = allHresults().map((info) => info.code);
  const lacking = shipped.filter((code) => !HAN.test(HRESULT_TEXT_ZH_CN[code]?.meaning ?? ''));
  assert.deepEqual(lacking, [], 'codes without a zh-CN meaning');
  const fixesLacking = Object.keys(TYPICAL_FIXES).filter((code) => !HAN.test(HRESULT_TEXT_ZH_CN[code]?.fix ?? ''));
  assert.deepEqual(fixesLacking, [], 'codes without a zh-CN typical fix');
  assert.deepEqual(Object.keys(HRESULT_TEXT_ZH_CN).filter((code) => !shipped.includes(code)), [], 'codes the product does not ship');
  const extraFixes = Object.entries(HRESULT_TEXT_ZH_CN).filter(([code, text]) => text.fix && !(code in TYPICAL_FIXES)).map(([code]) => code);
  assert.deepEqual(extraFixes, [], 'a fix the English table does not have');
  assert.equal(zh.hresultMeaning('0x800f081f', 'The source for the package or file not found.')?.startsWith('找不到包或文件的源'), true);
  assert.equal(zh.hresultFix('0x8007000d', TYPICAL_FIXES['0x8007000d']!)?.includes('组件存储'), true);
  assert.equal(zh.hresultMeaning('0x8badf00d', 'from the server'), 'from the server', 'an unknown code keeps the server text');
});

test('every remediation rule is worded in Chinese from the params its rule declares, never from prose', () => {
  assert.deepEqual(Object.keys(REMEDIATION_ZH_CN).sort(), REMEDIATION_RULES.map((rule) => rule.id).sort());
  for (const rule of REMEDIATION_RULES) {
    const read = new Set<string>();
    // Every param set (flags on) so each optional clause is read too.
    REMEDIATION_ZH_CN[rule.id]!((name) => (read.add(name), name === 'shipDate' ? '2023-10-10' : 'x'), fmt);
    assert.deepEqual([...read].filter((name) => !rule.params.includes(name)), [], `${rule.id} reads params its rule does not send`);
  }
});

test('support case 2 in Chinese: every step titled and explained in Chinese with its facts; commands unchanged', () => {
  const fleet = loadFleet();
  const steps = remediateInFleet(fleet[2]!, fleet);
  for (const step of steps) {
    const text = zh.remediation(step);
    assert.ok(HAN.test(text.title) && HAN.test(text.why), `${step.rule} is in Chinese: ${text.title}`);
    assert.doesNotMatch(`${text.title} ${text.why}`, /undefined|\{\w+\}/);
  }
  const copy = zh.remediation(steps[0]!);
  assert.equal(copy.title, '从同一版本的正常设备复制完好的 dual_wpdmtp.inf 文件');
  assert.match(copy.why, /0x800f081f \(CBS_E_SOURCE_MISSING\) 和 "Repair failed: Missing replacement payload\."/);
  assert.match(copy.why, /BANK-WS-0101 的系统版本为 19045\.5131.*已安装 KB5036892/);
  const retry = zh.remediation(steps.find((step) => step.rule === 'retry-update')!);
  assert.match(retry.why, /^KB5036892 安装失败，错误为 0x8007000d \(ERROR_INVALID_DATA\)，当时 dual_wpdmtp\.inf 的损坏尚未修复/);
  const ship = zh.remediation(steps.find((step) => step.rule === 'install-shipping-update')!);
  assert.match(ship.why, /^KB5031445（系统版本 19045\.3636，2023年10月26日）/);
  assert.deepEqual(serverText('en', fmt).remediation(steps[0]!), { title: steps[0]!.title, why: steps[0]!.why }, 'English shows the server text');
  const older = { ...steps[0]!, params: {} };
  assert.deepEqual(zh.remediation(older), { title: older.title, why: older.why }, 'a step without params keeps the English text');
});

test('every alert kind is worded in Chinese from its params; an alert without them keeps its English message', () => {
  assert.deepEqual(Object.keys(ALERTS_ZH_CN).sort(), [...ALERT_KINDS].sort());
  const baseline = { id: 1, kb: 'KB5043064', appliesTo: 19045, dueDate: '2024-10-01', createdAt: '2024-09-01T00:00:00.000Z' };
  const conditions = [
    ...aggregateConditions(
      new Map([['dual_wpdmtp.inf', 12]]),
      [complianceOf({ ...baseline, name: defaultBaselineName(baseline) }, 1, 4)],
      { clusterAlertThreshold: 10, complianceAlertPercent: 90 },
    ),
    staleCondition({ id: 'bank-ws-0412', hostname: 'BANK-WS-0412', lastSeenAt: '2024-11-21T06:10:38.000Z' }),
  ];
  const worded = conditions.map((condition) => zh.alert({ kind: condition.kind, message: condition.message, params: alertParams(condition.details) }));
  assert.deepEqual(worded, [
    '新的损坏聚类：dual_wpdmtp.inf，涉及 12 台设备。',
    '损坏聚类 dual_wpdmtp.inf 已涉及 12 台设备（阈值 10）。',
    '基线 KB5043064（适用于 19045，2024年10月1日前） 的合规率为 25%（阈值 90%）：4 台设备中 1 台合规。',
    'BANK-WS-0412 自 2024年11月21日 14:10 起未上报。',
  ]);
  const old = { kind: 'compliance-below', message: 'Compliance with X is 25% (threshold 90%): 1 of 4 devices.', params: { kb: 'KB5043064', compliancePercent: '25' } };
  assert.equal(zh.alert(old), old.message);
  assert.equal(zh.baselineName('September 2024 LCU'), 'September 2024 LCU', 'a name an admin typed is kept');
});
