// One replay task in its own process: `node task-main.ts '<task as JSON>'`; prints its result as one JSON
// line. Run by child.ts; run it by hand with `node --cpu-prof` to profile one figure.
import { runTask, type Task } from './tasks.ts';

const [json] = process.argv.slice(2);
if (json === undefined) throw new Error("usage: task-main.ts '<task as JSON>'");
const result = await runTask(JSON.parse(json) as Task);
process.stdout.write(`${JSON.stringify(result)}\n`);
