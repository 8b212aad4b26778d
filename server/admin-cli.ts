// `npm run admin -- …`: enrollment secrets, re-enrollment decisions, API tokens and users, straight on the database in DATA_DIR (server running or not).
import type { ParseArgsConfig } from 'node:util';
import { parseCommandLine } from '../protocol/command-line';
import { iso } from '../protocol/units';
import { systemClock } from './clock';
import { ConfigError, loadConfig } from './config';
import { AppError } from './errors';
import { AdminService, type Actor } from './security/admin-service';
import type { Role } from './storage/repository';
import { openStorage } from './storage/open-storage';

const USAGE = `usage: npm run admin -- <command>

  enroll-secret [--name NAME] [--expires-days N]   print a new enrollment secret
  token --role viewer|admin [--name NAME]          print a new API token (Authorization: Bearer TOKEN)
  user add USERNAME --role viewer|admin            create a user; prints a one-time password
  user list                                        list users
  user reset-password USERNAME                     print a new one-time password, end the user's sessions, clear sign-in locks
  user unlock USERNAME                             clear the user's sign-in locks (failed-password counts)
  user disable USERNAME | user enable USERNAME     block or allow sign-in
  enrollment list                                  re-enrollments of enrolled devices waiting for a decision
  enrollment approve ID | enrollment reject ID     approve (the device's key is revoked, the waiting agent
                                                   gets a new one) or reject (the device keeps its key)

Works on the database in DATA_DIR (default ./data), whether the server runs or not.
`;

class UsageError extends Error {}

type Flags = NonNullable<ParseArgsConfig['options']>;

/** A command's flags and its operands (a sub-command, a USERNAME, an ID); an unknown flag or an extra operand is a usage error. */
function commandLine<T extends Flags>(args: string[], options: T, maxOperands: number) {
  const { values, positionals } = usageErrors(() => parseCommandLine({ args, options, allowPositionals: true }));
  const extra = positionals[maxOperands];
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  return { values, operands: positionals };
}

function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function expiresDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,4}$/.test(value)) throw new UsageError(`--expires-days must be a whole number of days (got '${value}')`);
  return Number(value);
}

function role(value: string | undefined): Role {
  if (value !== 'viewer' && value !== 'admin') throw new UsageError('--role must be viewer or admin');
  return value;
}

/** Where the command writes: stdout for the secret or password alone, stderr for messages. */
export interface Output {
  write(text: string): unknown;
}

export async function runAdmin(argv: string[], env: NodeJS.ProcessEnv = process.env, out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    out.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`admin: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const { storage, warnings } = openStorage(config);
  for (const warning of warnings) err.write(`admin: ${warning}\n`);
  const admin = new AdminService(storage, systemClock);
  const actor: Actor = { name: 'cli', ip: null };
  const findUser = async (username: string | undefined) => {
    if (!username) throw new UsageError('give a USERNAME');
    const user = await storage.users.byUsername(username);
    if (!user) throw new AppError(404, 'not_found', `no user named ${username}`);
    return user;
  };
  try {
    switch (command) {
      case 'enroll-secret': {
        const { values } = commandLine(args, { name: { type: 'string' }, 'expires-days': { type: 'string' } }, 0);
        const { secret } = await admin.createEnrollmentSecret(actor, {
          name: values.name ?? 'enrollment secret',
          expiresInDays: expiresDays(values['expires-days']),
        });
        out.write(`${secret}\n`);
        return 0;
      }
      case 'token': {
        const { values } = commandLine(args, { role: { type: 'string' }, name: { type: 'string' } }, 0);
        const tokenRole = role(values.role);
        const { token } = await admin.createApiToken(actor, { name: values.name ?? `${tokenRole} token`, role: tokenRole });
        out.write(`${token}\n`);
        return 0;
      }
      case 'user': {
        const { values, operands } = commandLine(args, { role: { type: 'string' } }, 2);
        const [sub, username] = operands;
        if (values.role !== undefined && sub !== 'add') throw new UsageError('--role goes with user add');
        if (sub === 'list') {
          if (username !== undefined) throw new UsageError(`unexpected argument '${username}'`);
          for (const u of await storage.users.list()) {
            out.write(`${u.username}\t${u.role}\t${u.disabledAt ? 'disabled' : 'enabled'}${u.mustChangePassword ? '\tmust-change-password' : ''}\n`);
          }
          return 0;
        }
        if (sub === 'add') {
          const userRole = role(values.role);
          if (!username) throw new UsageError('give a USERNAME');
          const { oneTimePassword } = await admin.createUser(actor, { username, role: userRole });
          out.write(`${oneTimePassword}\n`);
          err.write(`created ${username} (${userRole}); the one-time password above must be changed at first sign-in\n`);
          return 0;
        }
        if (sub === 'reset-password') {
          const user = await findUser(username);
          const { oneTimePassword } = await admin.resetPassword(actor, user.id);
          out.write(`${oneTimePassword}\n`);
          return 0;
        }
        if (sub === 'unlock') {
          const user = await findUser(username);
          const cleared = await admin.unlockUser(actor, user.id);
          err.write(cleared > 0 ? `${user.username} unlocked\n` : `${user.username} had no sign-in failures recorded\n`);
          return 0;
        }
        if (sub === 'disable' || sub === 'enable') {
          const user = await findUser(username);
          await admin.updateUser(actor, user.id, { disabled: sub === 'disable' });
          err.write(`${user.username} ${sub}d\n`);
          return 0;
        }
        throw new UsageError(`unknown user command ${sub ?? ''}`);
      }
      case 'enrollment': {
        const { operands } = commandLine(args, {}, 2);
        const [sub, text] = operands;
        if (sub === 'list') {
          if (text !== undefined) throw new UsageError(`unexpected argument '${text}'`);
          for (const r of await storage.enrollmentRequests.listOpen(systemClock.now())) {
            const known = r.knownHostname === null ? '' : `\tknown as ${r.knownHostname}`;
            out.write(`${r.id}\t${r.status}\t${r.deviceId}\t${r.hostname}\t${iso(r.requestedAt)}\t${r.ip ?? '-'}${known}\n`);
          }
          return 0;
        }
        if (sub === 'approve' || sub === 'reject') {
          if (!text || !/^\d{1,15}$/.test(text)) throw new UsageError(`give the ID of the request to ${sub} (see 'enrollment list')`);
          if (sub === 'approve') {
            const { request, revokedKeys } = await admin.approveEnrollmentRequest(actor, Number(text));
            err.write(`approved request ${request.id} of ${request.deviceId} (${request.hostname}); ${revokedKeys} key(s) revoked, the agent collects its new key at its next poll\n`);
          } else {
            const request = await admin.rejectEnrollmentRequest(actor, Number(text));
            err.write(`rejected request ${request.id} of ${request.deviceId} (${request.hostname}); the device keeps its key\n`);
          }
          return 0;
        }
        throw new UsageError(`unknown enrollment command ${sub ?? ''}`);
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`admin: ${e.message}\n${USAGE}`);
      return 2;
    }
    if (e instanceof AppError) {
      err.write(`admin: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    storage.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runAdmin(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`admin: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
