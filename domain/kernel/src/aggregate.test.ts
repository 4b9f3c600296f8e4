import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decodeCommand, type CommandCodecs } from './aggregate.ts';
import { struct } from './codecs.ts';
import type { Command } from './decider.ts';

const Open = struct('Open', { accountId: t.string });
const Deposit = struct('Deposit', { accountId: t.string, amount: t.number });
type AccountCommand = Command<'Open', t.TypeOf<typeof Open>> | Command<'Deposit', t.TypeOf<typeof Deposit>>;
const accountCommands: CommandCodecs<AccountCommand> = { Open, Deposit };
const now = new Date('2026-11-21T09:00:00Z');

test("a command's data is decoded by its own type's codec", (t) => {
  t.deepEqual(
    decodeCommand(accountCommands, 'Deposit', { accountId: 'a-1', amount: 5 }, { now }),
    E.right({
      type: 'Deposit',
      data: { accountId: 'a-1', amount: 5 },
      metadata: { now },
    }),
  );
});

test("data that is not the command's is refused with its field paths", (t) => {
  t.deepEqual(
    decodeCommand(accountCommands, 'Deposit', { accountId: 'a-1' }, { now }),
    E.left([{ pointer: '#/amount', detail: 'is required' }]),
  );
  t.deepEqual(
    decodeCommand(accountCommands, 'Open', { accountId: 'a-1', amount: 5 }, { now }),
    E.left([{ pointer: '#/amount', detail: 'is not a known field' }]),
    "another command's fields are not this one's",
  );
});
