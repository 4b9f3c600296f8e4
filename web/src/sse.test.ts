import test from 'ava';
import fc from 'fast-check';
import { eventStreamParser } from './sse.ts';

const stream = 'retry: 2000\n\n: keep-alive\n\nid: 3\nevent: parcel\ndata: {"a":1}\n\nevent: position\ndata: line one\ndata: line two\n\n';

test('reads events, their names, ids and data, skipping comments, and the retry time', (t) => {
  const parser = eventStreamParser();
  t.deepEqual(parser.push(stream), [
    { event: 'parcel', data: '{"a":1}', id: '3' },
    { event: 'position', data: 'line one\nline two', id: '3' },
  ]);
  t.is(parser.retryMs(), 2000);
});

test('an event is complete only at its blank line, however the text is cut into chunks', (t) => {
  const whole = eventStreamParser().push(stream);
  fc.assert(
    fc.property(fc.array(fc.nat(stream.length), { maxLength: 12 }), (cuts) => {
      const points = [...new Set([0, ...cuts, stream.length])].sort((a, b) => a - b);
      const parser = eventStreamParser();
      const events = points.slice(1).flatMap((end, index) => parser.push(stream.slice(points[index], end)));
      return JSON.stringify(events) === JSON.stringify(whole);
    }),
  );
  t.pass();
});

test('CRLF and CR line ends are line ends, and a field without a space after its colon still reads', (t) => {
  t.deepEqual(eventStreamParser().push('event:vehicle\r\ndata:{}\r\n\r\n'), [{ event: 'vehicle', data: '{}', id: undefined }]);
  t.deepEqual(eventStreamParser().push('data: x\r\rdata: y\r'), [{ event: 'message', data: 'x', id: undefined }]);
  const split = eventStreamParser();
  t.deepEqual([...split.push('data: z\r'), ...split.push('\n\r'), ...split.push('\n')], [{ event: 'message', data: 'z', id: undefined }]);
});
