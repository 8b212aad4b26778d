// `install` / `uninstall`: register the agent to run as SYSTEM at boot with the system's own tools; `--dry-run` prints them.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { checkResult } from '../windows/adapter';
import { SUPERVISOR_NODE_FLAGS } from '../runtime/worker-process';
import { prepare, type CommandEnvironment } from './common';
import { parseConfigFlags, type AgentConfig } from '../config';

export const TASK_NAME = 'PatchLens Agent';
export const SYSTEMD_UNIT = 'patchlens-agent.service';
const SYSTEMD_PATH = `/etc/systemd/system/${SYSTEMD_UNIT}`;

export interface ServicePlan {
  /** Files written before the commands run (task XML, unit file). */
  files: { path: string; content: string; encoding: 'utf16le' | 'utf8' }[];
  /** Commands in order; `optional` ones may fail (ending a task that is not running). */
  commands: { file: string; args: string[]; optional?: boolean }[];
  /** Files removed after the commands ran. */
  cleanup: string[];
}

export interface ProgramLocation {
  node: string;
  /** Node flags: the supervisor's memory flags, plus `--import tsx` in a source checkout. */
  nodeArgs: string[];
  script: string;
}

/** Flags the service's `run` keeps from the installer's command line (the secret stays out of the service definition). */
const SERVICE_FLAGS = ['state-dir', 'logs', 'server', 'device-id', 'hostname', 'ca-bundle', 'proxy', 'schedule', 'spool-limit', 'log-level'] as const;
/** Paths are made absolute: the service does not start in the installer's working folder. */
const PATH_FLAGS: ReadonlySet<string> = new Set(['state-dir', 'logs', 'ca-bundle']);

/** The `run` arguments the service starts with: the same config, state and logs the installer was given. */
export function serviceArguments(config: AgentConfig, argv: string[]): string[] {
  const flags = parseConfigFlags(argv);
  const args = ['run'];
  if (config.configFile !== null) args.push('--config', resolve(config.configFile));
  for (const name of SERVICE_FLAGS) {
    const value = flags[name];
    if (value !== undefined) args.push(`--${name}`, PATH_FLAGS.has(name) ? resolve(value) : value);
  }
  if (flags['allow-http']) args.push('--allow-http');
  return args;
}

function quoteWindows(arg: string): string {
  return /[\s"]/.test(arg) ? `"${arg.replace(/"/g, '\\"')}"` : arg;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A boot-triggered task as SYSTEM with no 72-hour execution limit (the schtasks default would kill
 * the agent after three days), restarted on failure, at below-normal priority.
 */
export function taskXml(program: ProgramLocation, runArgs: string[]): string {
  const args = [...program.nodeArgs, program.script, ...runArgs].map(quoteWindows).join(' ');
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><Description>PatchLens agent: reports Windows servicing health to the PatchLens server.</Description></RegistrationInfo>
  <Triggers><BootTrigger><Enabled>true</Enabled></BootTrigger></Triggers>
  <Principals><Principal id="System"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal></Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>7</Priority>
    <RestartOnFailure><Interval>PT5M</Interval><Count>999</Count></RestartOnFailure>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="System"><Exec><Command>${escapeXml(program.node)}</Command><Arguments>${escapeXml(args)}</Arguments></Exec></Actions>
</Task>
`;
}

export function systemdUnit(program: ProgramLocation, runArgs: string[]): string {
  const quote = (arg: string) => (/[\s"\\]/.test(arg) ? `"${arg.replace(/(["\\])/g, '\\$1')}"` : arg);
  const command = [program.node, ...program.nodeArgs, program.script, ...runArgs].map(quote).join(' ');
  return `[Unit]
Description=PatchLens agent
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=${command}
Restart=on-failure
RestartSec=30
Nice=10
CPUQuota=50%

[Install]
WantedBy=multi-user.target
`;
}

export function installPlan(platform: NodeJS.Platform, program: ProgramLocation, runArgs: string[], scratchDir: string): ServicePlan {
  if (platform === 'win32') {
    const xmlPath = join(scratchDir, 'patchlens-agent-task.xml');
    return {
      files: [{ path: xmlPath, content: `\uFEFF${taskXml(program, runArgs)}`, encoding: 'utf16le' }],
      commands: [
        { file: 'schtasks', args: ['/Create', '/TN', TASK_NAME, '/XML', xmlPath, '/F'] },
        { file: 'schtasks', args: ['/Run', '/TN', TASK_NAME] },
      ],
      cleanup: [xmlPath],
    };
  }
  return {
    files: [{ path: SYSTEMD_PATH, content: systemdUnit(program, runArgs), encoding: 'utf8' }],
    commands: [
      { file: 'systemctl', args: ['daemon-reload'] },
      { file: 'systemctl', args: ['enable', '--now', SYSTEMD_UNIT] },
    ],
    cleanup: [],
  };
}

export function uninstallPlan(platform: NodeJS.Platform): ServicePlan {
  if (platform === 'win32') {
    return {
      files: [],
      commands: [
        { file: 'schtasks', args: ['/End', '/TN', TASK_NAME], optional: true },
        { file: 'schtasks', args: ['/Delete', '/TN', TASK_NAME, '/F'] },
      ],
      cleanup: [],
    };
  }
  return {
    files: [],
    commands: [
      { file: 'systemctl', args: ['disable', '--now', SYSTEMD_UNIT], optional: true },
      { file: 'systemctl', args: ['daemon-reload'] },
    ],
    cleanup: [SYSTEMD_PATH],
  };
}

/** How the plan reads on screen: one shell-ready line per command, file contents in full. */
export function describePlan(plan: ServicePlan): string[] {
  const lines: string[] = [];
  for (const file of plan.files) lines.push(`# write ${file.path}`, file.content.replace(/^\uFEFF/, '').trimEnd());
  for (const command of plan.commands) lines.push([command.file, ...command.args].map(quoteWindows).join(' '));
  for (const path of plan.cleanup) lines.push(`# remove ${path}`);
  return lines;
}

/** Where this very program lives, so the service starts the same build. */
export function currentProgram(): ProgramLocation {
  const script = resolve(process.argv[1] ?? 'patchlens-agent.mjs');
  return { node: process.execPath, nodeArgs: [...SUPERVISOR_NODE_FLAGS, ...(script.endsWith('.ts') ? ['--import', 'tsx'] : [])], script };
}

async function applyPlan(plan: ServicePlan, env: CommandEnvironment): Promise<void> {
  try {
    for (const file of plan.files) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.content, { encoding: file.encoding });
    }
    for (const command of plan.commands) {
      const result = await env.adapter.run(command.file, command.args);
      if (!command.optional) checkResult([command.file, ...command.args].join(' '), result);
    }
  } finally {
    for (const path of plan.cleanup) rmSync(path, { force: true });
  }
}

export async function runInstallCommand(argv: string[], env: CommandEnvironment, program = currentProgram()): Promise<number> {
  const { config } = prepare(argv, env);
  const plan = installPlan(env.adapter.platform, program, serviceArguments(config, argv), tmpdir());
  if (config.dryRun) {
    for (const line of describePlan(plan)) env.stdout(line);
    return 0;
  }
  await applyPlan(plan, env);
  env.stdout(env.adapter.platform === 'win32' ? `installed scheduled task '${TASK_NAME}' (runs as SYSTEM at boot)` : `installed ${SYSTEMD_UNIT}`);
  return 0;
}

export async function runUninstallCommand(argv: string[], env: CommandEnvironment): Promise<number> {
  const { config } = prepare(argv, env);
  const plan = uninstallPlan(env.adapter.platform);
  if (config.dryRun) {
    for (const line of describePlan(plan)) env.stdout(line);
    return 0;
  }
  await applyPlan(plan, env);
  env.stdout(env.adapter.platform === 'win32' ? `removed scheduled task '${TASK_NAME}'` : `removed ${SYSTEMD_UNIT}`);
  return 0;
}
