// The SMS gateway contract: what every adapter of the port does, whatever is behind it. A message is sent
// once per idempotency key (a repeat gets the first receipt back), different keys are different messages,
// and a number the gateway cannot text is a refusal, not a failure.
import type { TestFn } from 'ava';
import { randomUUID } from 'node:crypto';
import { constantOf } from '../codecs.ts';
import { PhoneNumber, type SmsGateway, type SmsMessage } from '../sms-gateway.ts';

export type SmsGatewayContract = {
  readonly name: string;
  /** A gateway, and what reached the recipients through it so far (the far side's view). */
  readonly open: () => Promise<{
    readonly gateway: SmsGateway;
    readonly sent: () => Promise<readonly SmsMessage[]>;
    /** A number the far side refuses for good. */
    readonly unreachable: PhoneNumber;
    readonly close: () => Promise<void>;
  }>;
};

const phone = () => constantOf(PhoneNumber, `+316${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`);

export const smsGatewayContract = (test: TestFn, { name, open }: SmsGatewayContract): void => {
  const title = (t: string) => `${name} SMS gateway: ${t}`;

  test(title('sends a message and answers with its id'), async (t) => {
    const world = await open();
    try {
      const message = { to: phone(), body: `Your parcel is out for delivery ${randomUUID()}` };
      const receipt = await world.gateway.send(message, { idempotencyKey: randomUUID() });
      t.is(receipt.kind, 'sent');
      t.true(receipt.kind === 'sent' && receipt.messageId.length > 0);
      t.deepEqual(
        (await world.sent()).filter((m) => m.body === message.body),
        [message],
      );
    } finally {
      await world.close();
    }
  });

  test(title('a repeat with the same key is sent once and answered with the first receipt'), async (t) => {
    const world = await open();
    try {
      const message = { to: phone(), body: `Delivered ${randomUUID()}` };
      const idempotencyKey = randomUUID();
      const [first, second] = await Promise.all([
        world.gateway.send(message, { idempotencyKey }),
        world.gateway.send(message, { idempotencyKey }),
      ]);
      const third = await world.gateway.send(message, { idempotencyKey });
      t.deepEqual(second, first);
      t.deepEqual(third, first);
      t.is((await world.sent()).filter((m) => m.body === message.body).length, 1);
    } finally {
      await world.close();
    }
  });

  test(title('different keys are different messages'), async (t) => {
    const world = await open();
    try {
      const message = { to: phone(), body: `Twice ${randomUUID()}` };
      const a = await world.gateway.send(message, { idempotencyKey: randomUUID() });
      const b = await world.gateway.send(message, { idempotencyKey: randomUUID() });
      t.true(a.kind === 'sent' && b.kind === 'sent' && a.messageId !== b.messageId);
      t.is((await world.sent()).filter((m) => m.body === message.body).length, 2);
    } finally {
      await world.close();
    }
  });

  test(title('a number it cannot text is refused for good, and nothing is sent'), async (t) => {
    const world = await open();
    try {
      const body = `Unreachable ${randomUUID()}`;
      const receipt = await world.gateway.send({ to: world.unreachable, body }, { idempotencyKey: randomUUID() });
      t.is(receipt.kind, 'refused');
      t.is((await world.sent()).filter((m) => m.body === body).length, 0);
    } finally {
      await world.close();
    }
  });
};
