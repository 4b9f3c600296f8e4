// Reading the README as a script: a section's shell blocks, and a marked run cut into commands' answers.
import test from 'ava';
import { shellBlocksOf, splitByCommand } from './readme-blocks.ts';

const markdown = [
  '# Title',
  '',
  '## One',
  '',
  '```sh',
  'echo a',
  '```',
  '',
  '```ts',
  'not shell',
  '```',
  '',
  '```sh',
  'echo b',
  'echo c',
  '```',
  '',
  '## Two',
  '',
  '```sh',
  'echo d',
  '```',
  '',
].join('\n');

test("a section's shell blocks, and only its own", (t) => {
  t.deepEqual(shellBlocksOf(markdown, 'One'), ['echo a\n', 'echo b\necho c\n']);
  t.deepEqual(shellBlocksOf(markdown, 'Two'), ['echo d\n']);
  t.deepEqual(shellBlocksOf(markdown, 'Three'), []);
});

test("each command's answer, without the markers and the blank lines they begin with", (t) => {
  const stdout = ['', '@@cmd A=1', '', '@@cmd curl -s $API/x', '{"a":1}', '', '@@cmd echo', '', '', '@@block 0', ''].join('\n');
  t.deepEqual(splitByCommand(stdout), [
    { command: 'A=1', output: '' },
    { command: 'curl -s $API/x', output: '{"a":1}' },
    { command: 'echo', output: '' },
  ]);
});
