// Every command line's flag mistakes, as the one line a user reads; negative numbers are values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandLineError, parseCommandLine } from './command-line';

const options = { name: { type: 'string' }, json: { type: 'boolean' }, offset: { type: 'string' } } as const;
const parse = (args: string[], allowPositionals = false) => parseCommandLine({ args, options, allowPositionals });

test('flags, inline values and positionals parse as node:util parseArgs does', () => {
  const { values, positionals } = parse(['a', '--name', 'x', '--json', '--offset=5', 'b'], true);
  assert.deepEqual({ ...values }, { name: 'x', json: true, offset: '5' });
  assert.deepEqual(positionals, ['a', 'b']);
  assert.deepEqual(parse(['--', '--json'], true).positionals, ['--json']);
});

test('a negative number after a flag is its value', () => {
  assert.equal(parse(['--offset', '-360']).values.offset, '-360');
  assert.equal(parse(['--offset', '-1.5']).values.offset, '-1.5');
  assert.deepEqual(parse(['--', '--offset', '-360'], true).positionals, ['--offset', '-360']);
});

test('each mistake is one line naming the flag', () => {
  const mistakes: [string[], string][] = [
    [['--name'], '--name needs a value'],
    [['--name', '--json'], '--name needs a value'],
    [['--json=yes'], '--json takes no value'],
    [['--bogus'], 'unknown option --bogus'],
    [['stray'], "unexpected argument 'stray'"],
  ];
  for (const [args, message] of mistakes) {
    assert.throws(() => parse(args), (error: unknown) => error instanceof CommandLineError && error.message === message, args.join(' '));
  }
  assert.throws(() => parse(['-x'], true), { message: 'unknown option -x' });
});
