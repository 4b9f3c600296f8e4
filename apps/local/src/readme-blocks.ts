// Reading the README as a script: the shell blocks of one of its sections, and a marked run's output cut
// into each command's answer. For the walkthrough test (readme-walkthrough.int.test.ts).

/** The ```sh blocks of the section under the `## <heading>` line, up to the next `## ` heading. */
export const shellBlocksOf = (markdown: string, heading: string): string[] => {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) return [];
  const next = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/^```sh\n([^]*?)^```$/gm)].map((match) => match[1]!);
};

export type CommandOutput = { readonly command: string; readonly output: string };

/** The marker line a DEBUG trap prints before each command (see the test's script). */
const marker = /^@@(cmd|block) ?(.*)$/;

/**
 * Each command and what it printed, from output where every command is preceded by `@@cmd <command>`.
 * The blank line each marker starts with (so that it begins a line of its own) is not output.
 */
export const splitByCommand = (stdout: string): CommandOutput[] => {
  // A block's end is a segment too (the test's own), dropped at the end.
  const segments: { command: string | undefined; lines: string[] }[] = [];
  for (const line of stdout.split('\n')) {
    const marked = marker.exec(line);
    if (marked === null) segments.at(-1)?.lines.push(line);
    else segments.push({ command: marked[1] === 'cmd' ? marked[2]!.trim() : undefined, lines: [] });
  }
  return segments.flatMap(({ command, lines }) =>
    command === undefined ? [] : [{ command, output: lines.join('\n').replace(/\n$/, '') }],
  );
};
